/*
 * Zhusan.DecisionScenario 1.0: a case in steps. At each step the learner reads the situation,
 * makes one choice (it stands: the first choice scores), reads why it helps or not, may open
 * the other choices' feedback, and continues. At the end: the score, the closing text and
 * "Try again".
 *
 * H5P core builds it as `new Zhusan.DecisionScenario(params, contentId, extras)` and calls
 * `attach($container)`. Params come from content/content.json (activities/building.py): HTML
 * fields are already sanitised there, plain-text fields are only ever set as text.
 *
 * xAPI: `attempted` on starting, `answered` for each step (a sub-activity of the content, with
 * the choice's index in result.response and the step's points), `completed` at the last choice
 * with the score and success (scaled >= passPercentage / 100).
 *
 * Plain modern JavaScript, no dependencies. A constructor function, not a class: H5P core
 * replaces the constructor's prototype, which a class does not allow.
 */
(function (window, H5P) {
  'use strict';

  var Zhusan = (window.Zhusan = window.Zhusan || {});

  /** English words, for a package built without them (the builder always fills params.l10n). */
  var DEFAULT_L10N = {
    start: 'Start',
    tryAgain: 'Try again',
    seeResult: 'See your result',
    result: 'Your result',
    score: 'Your score: %s of %s',
    passMark: 'Pass mark: %s of %s',
    passed: 'You reached the pass mark.',
    notPassed: 'You have not reached the pass mark yet. You can try again.',
    continue: 'Continue',
    stepOf: 'Step %s of %s',
    yourChoice: 'Your choice',
    yourChoices: 'Your choices',
    best: 'Best choice',
    partly: 'Partly helpful',
    notHelpful: 'Not helpful',
    otherChoices: 'See the other choices'
  };
  var BEST = 2;
  var RATINGS = { 2: ['best', 'best'], 1: ['partly', 'partly'], 0: ['notHelpful', 'not'] };

  /** `template` with each `%s` replaced by the next of `values`. */
  function format(template, values) {
    var i = 0;
    return String(template).replace(/%s/g, function () {
      return String(values[i++]);
    });
  }

  /** An element: `attrs` set as attributes (`text` as its text, `html` as sanitised HTML). */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === undefined || value === null || value === false) return;
      if (name === 'text') node.textContent = value;
      else if (name === 'html') node.innerHTML = value; // sanitised by the builder
      else if (name === 'onclick') node.addEventListener('click', value);
      else node.setAttribute(name, value === true ? '' : value);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  var uid = 0;

  /**
   * @param {object} params content.json
   * @param {number|string} contentId
   * @param {object} [extras] extras.previousState: what getCurrentState returned earlier
   */
  function DecisionScenario(params, contentId, extras) {
    H5P.EventDispatcher.call(this);
    this.params = params || {};
    this.contentId = contentId;
    this.steps = Array.isArray(this.params.steps) ? this.params.steps : [];
    this.l10n = Object.assign({}, DEFAULT_L10N, this.params.l10n || {});
    this.passPercentage = Number(this.params.passPercentage) || 100;
    this.prefix = 'zds-' + ++uid;
    this.state = this.restore(extras && extras.previousState);
    this.root = null;
  }

  DecisionScenario.prototype = Object.create(H5P.EventDispatcher.prototype);
  DecisionScenario.prototype.constructor = DecisionScenario;

  /**
   * The state to resume from, if `saved` fits this content; else the start. A saved state is
   * {answers: [choice index per step answered], step: the step shown, done: result shown}.
   */
  DecisionScenario.prototype.restore = function (saved) {
    var fresh = { started: false, answers: [], step: 0, done: false };
    if (!saved || typeof saved !== 'object' || !Array.isArray(saved.answers)) return fresh;
    var steps = this.steps;
    var answers = saved.answers;
    var valid =
      answers.length <= steps.length &&
      answers.every(function (answer, index) {
        return Number.isInteger(answer) && answer >= 0 && answer < steps[index].choices.length;
      });
    if (!valid || !steps.length) return fresh;
    var step = Number.isInteger(saved.step) ? saved.step : answers.length;
    // The step shown is the last one answered (its feedback open) or the next one.
    step = Math.max(answers.length - 1, Math.min(step, answers.length, steps.length - 1));
    return {
      started: true,
      answers: answers.slice(),
      step: step,
      done: Boolean(saved.done) && answers.length === steps.length
    };
  };

  DecisionScenario.prototype.getCurrentState = function () {
    if (!this.state.started) return undefined;
    return { answers: this.state.answers.slice(), step: this.state.step, done: this.state.done };
  };

  DecisionScenario.prototype.getScore = function () {
    var steps = this.steps;
    return this.state.answers.reduce(function (sum, answer, index) {
      return sum + steps[index].choices[answer].points;
    }, 0);
  };

  DecisionScenario.prototype.getMaxScore = function () {
    return BEST * this.steps.length;
  };

  DecisionScenario.prototype.getAnswerGiven = function () {
    return this.state.answers.length > 0;
  };

  DecisionScenario.prototype.getTitle = function () {
    return H5P.createTitle ? H5P.createTitle(this.params.title || '') : this.params.title || '';
  };

  /** Back to the start screen, as if nothing had been done (H5P's question contract). */
  DecisionScenario.prototype.resetTask = function () {
    this.state = { started: false, answers: [], step: 0, done: false };
    this.activityStartTime = undefined;
    if (this.root) this.render();
  };

  /** Whether `score` of `max` passes: scaled >= passPercentage / 100, in whole numbers. */
  DecisionScenario.prototype.passes = function (score, max) {
    return score * 100 >= this.passPercentage * max;
  };

  DecisionScenario.prototype.attach = function ($container) {
    var container = $container && $container.get ? $container.get(0) : $container;
    this.root = el('div', { class: 'zds', lang: this.params.language || null });
    container.replaceChildren(this.root);
    this.render();
  };

  /** Draw the current screen; then move focus to `focus` (a selector), if given. */
  DecisionScenario.prototype.render = function (focus) {
    var state = this.state;
    var screen;
    if (!state.started) screen = this.introScreen();
    else if (state.done) screen = this.resultScreen();
    else screen = this.stepScreen(state.step);
    this.root.replaceChildren(screen);
    if (focus) {
      var target = this.root.querySelector(focus);
      if (target) target.focus();
    }
    this.resize();
  };

  DecisionScenario.prototype.resize = function () {
    this.trigger('resize');
  };

  DecisionScenario.prototype.introScreen = function () {
    var self = this;
    var p = this.params;
    return el('div', { class: 'zds-intro' }, [
      el('h2', { class: 'zds-title', text: p.title }),
      p.description ? el('p', { class: 'zds-lead', text: p.description }) : null,
      p.composite ? el('p', { class: 'zds-note', text: p.composite }) : null,
      p.introduction ? el('div', { class: 'zds-prose', html: p.introduction }) : null,
      el('div', { class: 'zds-actions' }, [
        el('button', {
          type: 'button',
          class: 'zds-button',
          text: this.l10n.start,
          onclick: function () {
            self.start();
          }
        })
      ])
    ]);
  };

  DecisionScenario.prototype.start = function () {
    this.state = { started: true, answers: [], step: 0, done: false };
    this.activityStartTime = undefined;
    if (this.setActivityStarted) this.setActivityStarted();
    this.render('.zds-situation');
  };

  DecisionScenario.prototype.stepScreen = function (index) {
    var self = this;
    var step = this.steps[index];
    var questionId = this.prefix + '-q' + index;
    var answered = this.state.answers[index] !== undefined;
    var screen = el('div', { class: 'zds-step' }, [
      el('div', { class: 'zds-situation', tabindex: '-1' }, [
        el('h2', {
          class: 'zds-progress',
          text: format(this.l10n.stepOf, [index + 1, this.steps.length])
        }),
        el('div', { class: 'zds-prose', html: step.situation })
      ]),
      el('h3', { class: 'zds-question', id: questionId, text: step.question })
    ]);
    if (!answered) {
      screen.appendChild(
        el(
          'ul',
          { class: 'zds-choices', 'aria-labelledby': questionId },
          step.choices.map(function (choice, choiceIndex) {
            return el('li', {}, [
              el('button', {
                type: 'button',
                class: 'zds-choice',
                text: choice.text,
                onclick: function () {
                  self.choose(index, choiceIndex);
                }
              })
            ]);
          })
        )
      );
    }
    // The live region is on the page before it is filled, so screen readers announce it.
    var feedback = el('div', { class: 'zds-feedback', 'aria-live': 'polite', tabindex: '-1' });
    screen.appendChild(feedback);
    if (answered) this.fillFeedback(screen, index);
    return screen;
  };

  /** A rating in words (never colour alone): "Best choice", "Partly helpful", "Not helpful". */
  DecisionScenario.prototype.rating = function (points) {
    var rating = RATINGS[points] || RATINGS[0];
    return el('p', { class: 'zds-rating zds-rating--' + rating[1] }, [
      el('span', { class: 'zds-rating__mark', 'aria-hidden': 'true' }),
      el('span', { text: this.l10n[rating[0]] })
    ]);
  };

  DecisionScenario.prototype.fillFeedback = function (screen, index) {
    var self = this;
    var step = this.steps[index];
    var chosenIndex = this.state.answers[index];
    var chosen = step.choices[chosenIndex];
    var last = index === this.steps.length - 1;
    var feedback = screen.querySelector('.zds-feedback');
    feedback.classList.add('zds-feedback--' + RATINGS[chosen.points][1]);
    feedback.replaceChildren(
      el('p', { class: 'zds-label', text: this.l10n.yourChoice }),
      el('p', { class: 'zds-chosen', text: chosen.text }),
      this.rating(chosen.points),
      el('div', { class: 'zds-prose', html: chosen.feedback })
    );
    var others = el('details', { class: 'zds-others' }, [
      el('summary', { text: this.l10n.otherChoices }),
      el(
        'ul',
        { class: 'zds-others__list' },
        step.choices
          .map(function (choice, choiceIndex) {
            if (choiceIndex === chosenIndex) return null;
            return el('li', { class: 'zds-other zds-other--' + RATINGS[choice.points][1] }, [
              el('p', { class: 'zds-other__text', text: choice.text }),
              self.rating(choice.points),
              el('div', { class: 'zds-prose', html: choice.feedback })
            ]);
          })
          .filter(Boolean)
      )
    ]);
    others.addEventListener('toggle', function () {
      self.resize();
    });
    screen.appendChild(others);
    screen.appendChild(
      el('div', { class: 'zds-actions' }, [
        el('button', {
          type: 'button',
          class: 'zds-button',
          text: last ? this.l10n.seeResult : this.l10n.continue,
          onclick: function () {
            self.next();
          }
        })
      ])
    );
  };

  /** The learner's choice at step `index`: it stands, whatever they open afterwards. */
  DecisionScenario.prototype.choose = function (index, choiceIndex) {
    if (this.state.answers[index] !== undefined || index !== this.state.answers.length) return;
    this.state.answers.push(choiceIndex);
    var screen = this.root.querySelector('.zds-step');
    var list = screen.querySelector('.zds-choices');
    if (list) list.remove();
    this.fillFeedback(screen, index);
    screen.querySelector('.zds-feedback').focus();
    this.resize();
    this.reportAnswer(index, choiceIndex);
    if (this.state.answers.length === this.steps.length) {
      // The score is final at the last choice: report it now, not when the result is opened,
      // so that a learner who closes the page here has still completed the activity.
      var score = this.getScore();
      var max = this.getMaxScore();
      this.triggerXAPIScored(score, max, 'completed', true, this.passes(score, max));
    }
  };

  DecisionScenario.prototype.next = function () {
    if (this.state.step >= this.steps.length - 1) {
      this.state.done = true;
      this.render('.zds-result');
    } else {
      this.state.step += 1;
      this.render('.zds-situation');
    }
  };

  /** `answered` for one step, as a sub-activity of this content (so it is never taken for the
   * activity's own result: it has a parent). */
  DecisionScenario.prototype.reportAnswer = function (index, choiceIndex) {
    var step = this.steps[index];
    var best = step.choices.findIndex(function (choice) {
      return choice.points === BEST;
    });
    var part = {
      contentId: this.contentId,
      subContentId: 'step-' + (index + 1),
      parent: this,
      libraryInfo: this.libraryInfo,
      getTitle: function () {
        return step.question;
      }
    };
    var event = new H5P.XAPIEvent();
    event.setActor();
    event.setVerb('answered');
    event.setObject(part);
    event.setContext(part);
    var definition = event.data.statement.object.definition;
    if (definition) {
      Object.assign(definition, {
        name: { 'en-US': step.question },
        description: { 'en-US': step.question },
        type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
        interactionType: 'choice',
        choices: step.choices.map(function (choice, i) {
          return { id: String(i), description: { 'en-US': choice.text } };
        }),
        correctResponsesPattern: [String(best)]
      });
    }
    event.setScoredResult(step.choices[choiceIndex].points, BEST, undefined, true);
    event.data.statement.result.response = String(choiceIndex);
    this.trigger(event);
  };

  DecisionScenario.prototype.resultScreen = function () {
    var self = this;
    var l10n = this.l10n;
    var score = this.getScore();
    var max = this.getMaxScore();
    var needed = Math.ceil((this.passPercentage * max) / 100);
    var passed = this.passes(score, max);
    return el('div', { class: 'zds-result', tabindex: '-1' }, [
      el('h2', { class: 'zds-title', text: l10n.result }),
      el('p', { class: 'zds-score', text: format(l10n.score, [score, max]) }),
      el('p', { class: 'zds-passmark', text: format(l10n.passMark, [needed, max]) }),
      el('p', {
        class: 'zds-verdict zds-verdict--' + (passed ? 'passed' : 'not-passed'),
        text: passed ? l10n.passed : l10n.notPassed
      }),
      this.params.closing
        ? el('div', { class: 'zds-prose zds-closing', html: this.params.closing })
        : null,
      el('h3', { class: 'zds-subtitle', text: l10n.yourChoices }),
      el(
        'ol',
        { class: 'zds-review' },
        this.steps.map(function (step, index) {
          var choice = step.choices[self.state.answers[index]];
          var rated = 'zds-review__item--' + RATINGS[choice.points][1];
          return el('li', { class: 'zds-review__item ' + rated }, [
            el('p', { class: 'zds-review__question', text: step.question }),
            el('p', { class: 'zds-review__choice', text: choice.text }),
            self.rating(choice.points)
          ]);
        })
      ),
      el('div', { class: 'zds-actions' }, [
        el('button', {
          type: 'button',
          class: 'zds-button',
          text: l10n.tryAgain,
          onclick: function () {
            self.start();
          }
        })
      ])
    ]);
  };

  Zhusan.DecisionScenario = DecisionScenario;
})(window, window.H5P);
