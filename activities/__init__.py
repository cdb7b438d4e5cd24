"""Interactive activities: H5P packages checked and contained, played offline, counted towards
completion through xAPI statements (docs/h5p.md)."""
