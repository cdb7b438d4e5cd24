/*
 * Zhusan.MythOrFact 1.0: statements people commonly believe or say, one at a time. The learner
 * answers "Myth" or "Fact" (the first answer stands), reads the explanation, and goes on. At the
 * end: the score (one point per right answer), the answers given and "Try again".
 *
 * H5P core builds it as `new Zhusan.MythOrFact(params, contentId, extras)` and calls
 * `attach($container)`. Params come from content/content.json (activities/building.py): HTML
 * fields are already sanitised there, plain-text fields are only ever set as text.
 *
 * xAPI: `attempted` on starting, `answered` for each statement (a sub-activity, true-false,
 * with "true" or "false" in result.response), `completed` at the last answer with the score and
 * success (scaled >= passPercentage / 100).
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
    next: 'Next',
    statementOf: 'Statement %s of %s',
    question: 'Myth or fact?',
    fact: 'Fact',
    myth: 'Myth',
    correct: 'Correct',
    incorrect: 'Not quite',
    isFact: 'This is a fact.',
    isMyth: 'This is a myth.',
    yourAnswer: 'Your answer: %s',
    yourAnswers: 'Your answers'
  };

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
  function MythOrFact(params, contentId, extras) {
    H5P.EventDispatcher.call(this);
    this.params = params || {};
    this.contentId = contentId;
    this.statements = Array.isArray(this.params.statements) ? this.params.statements : [];
    this.l10n = Object.assign({}, DEFAULT_L10N, this.params.l10n || {});
    this.passPercentage = Number(this.params.passPercentage) || 100;
    this.prefix = 'zmf-' + ++uid;
    this.state = this.restore(extras && extras.previousState);
    this.root = null;
  }

  MythOrFact.prototype = Object.create(H5P.EventDispatcher.prototype);
  MythOrFact.prototype.constructor = MythOrFact;

  /**
   * The state to resume from, if `saved` fits this content; else the start. A saved state is
   * {answers: [true (fact) or false (myth) per statement answered], index: the statement
   * shown, done: result shown}.
   */
  MythOrFact.prototype.restore = function (saved) {
    var fresh = { started: false, answers: [], index: 0, done: false };
    if (!saved || typeof saved !== 'object' || !Array.isArray(saved.answers)) return fresh;
    var count = this.statements.length;
    var answers = saved.answers;
    var valid =
      count > 0 &&
      answers.length <= count &&
      answers.every(function (answer) {
        return typeof answer === 'boolean';
      });
    if (!valid) return fresh;
    var index = Number.isInteger(saved.index) ? saved.index : answers.length;
    // The statement shown is the last one answered (its explanation open) or the next one.
    index = Math.max(answers.length - 1, Math.min(index, answers.length, count - 1));
    return {
      started: true,
      answers: answers.slice(),
      index: index,
      done: Boolean(saved.done) && answers.length === count
    };
  };

  MythOrFact.prototype.getCurrentState = function () {
    if (!this.state.started) return undefined;
    return { answers: this.state.answers.slice(), index: this.state.index, done: this.state.done };
  };

  MythOrFact.prototype.getScore = function () {
    var statements = this.statements;
    return this.state.answers.filter(function (answer, index) {
      return answer === statements[index].fact;
    }).length;
  };

  MythOrFact.prototype.getMaxScore = function () {
    return this.statements.length;
  };

  MythOrFact.prototype.getAnswerGiven = function () {
    return this.state.answers.length > 0;
  };

  MythOrFact.prototype.getTitle = function () {
    return H5P.createTitle ? H5P.createTitle(this.params.title || '') : this.params.title || '';
  };

  /** Back to the start screen, as if nothing had been done (H5P's question contract). */
  MythOrFact.prototype.resetTask = function () {
    this.state = { started: false, answers: [], index: 0, done: false };
    this.activityStartTime = undefined;
    if (this.root) this.render();
  };

  /** Whether `score` of `max` passes: scaled >= passPercentage / 100, in whole numbers. */
  MythOrFact.prototype.passes = function (score, max) {
    return score * 100 >= this.passPercentage * max;
  };

  MythOrFact.prototype.attach = function ($container) {
    var container = $container && $container.get ? $container.get(0) : $container;
    this.root = el('div', { class: 'zmf', lang: this.params.language || null });
    container.replaceChildren(this.root);
    this.render();
  };

  /** Draw the current screen; then move focus to `focus` (a selector), if given. */
  MythOrFact.prototype.render = function (focus) {
    var state = this.state;
    var screen;
    if (!state.started) screen = this.introScreen();
    else if (state.done) screen = this.resultScreen();
    else screen = this.statementScreen(state.index);
    this.root.replaceChildren(screen);
    if (focus) {
      var target = this.root.querySelector(focus);
      if (target) target.focus();
    }
    this.resize();
  };

  MythOrFact.prototype.resize = function () {
    this.trigger('resize');
  };

  MythOrFact.prototype.button = function (text, onclick, extraClass) {
    return el('button', {
      type: 'button',
      class: 'zmf-button' + (extraClass ? ' ' + extraClass : ''),
      text: text,
      onclick: onclick
    });
  };

  MythOrFact.prototype.introScreen = function () {
    var self = this;
    var p = this.params;
    return el('div', { class: 'zmf-intro' }, [
      el('h2', { class: 'zmf-title', text: p.title }),
      p.description ? el('p', { class: 'zmf-lead', text: p.description }) : null,
      p.introduction ? el('div', { class: 'zmf-prose', html: p.introduction }) : null,
      el('div', { class: 'zmf-actions' }, [
        this.button(this.l10n.start, function () {
          self.start();
        })
      ])
    ]);
  };

  MythOrFact.prototype.start = function () {
    this.state = { started: true, answers: [], index: 0, done: false };
    this.activityStartTime = undefined;
    if (this.setActivityStarted) this.setActivityStarted();
    this.render('.zmf-statement');
  };

  MythOrFact.prototype.statementScreen = function (index) {
    var self = this;
    var statement = this.statements[index];
    var questionId = this.prefix + '-q' + index;
    var answered = this.state.answers[index] !== undefined;
    var screen = el('div', { class: 'zmf-step' }, [
      el('div', { class: 'zmf-statement', tabindex: '-1' }, [
        el('h2', {
          class: 'zmf-progress',
          text: format(this.l10n.statementOf, [index + 1, this.statements.length])
        }),
        el('p', { class: 'zmf-statement__text', text: statement.text })
      ])
    ]);
    if (!answered) {
      screen.appendChild(
        el('h3', { class: 'zmf-question', id: questionId, text: this.l10n.question })
      );
      screen.appendChild(
        el('div', { class: 'zmf-answers', role: 'group', 'aria-labelledby': questionId }, [
          this.button(
            this.l10n.myth,
            function () {
              self.answer(index, false);
            },
            'zmf-answer'
          ),
          this.button(
            this.l10n.fact,
            function () {
              self.answer(index, true);
            },
            'zmf-answer'
          )
        ])
      );
    }
    // The live region is on the page before it is filled, so screen readers announce it.
    screen.appendChild(el('div', { class: 'zmf-feedback', 'aria-live': 'polite', tabindex: '-1' }));
    if (answered) this.fillFeedback(screen, index);
    return screen;
  };

  MythOrFact.prototype.fillFeedback = function (screen, index) {
    var self = this;
    var l10n = this.l10n;
    var statement = this.statements[index];
    var answer = this.state.answers[index];
    var right = answer === statement.fact;
    var last = index === this.statements.length - 1;
    var feedback = screen.querySelector('.zmf-feedback');
    feedback.classList.add(right ? 'zmf-feedback--right' : 'zmf-feedback--wrong');
    feedback.replaceChildren(
      el('p', { class: 'zmf-verdict zmf-verdict--' + (right ? 'right' : 'wrong') }, [
        el('span', { class: 'zmf-verdict__mark', 'aria-hidden': 'true' }),
        el('span', { text: right ? l10n.correct : l10n.incorrect })
      ]),
      el('p', { class: 'zmf-truth', text: statement.fact ? l10n.isFact : l10n.isMyth }),
      el('p', {
        class: 'zmf-given',
        text: format(l10n.yourAnswer, [answer ? l10n.fact : l10n.myth])
      }),
      el('div', { class: 'zmf-prose', html: statement.explanation })
    );
    screen.appendChild(
      el('div', { class: 'zmf-actions' }, [
        this.button(last ? l10n.seeResult : l10n.next, function () {
          self.next();
        })
      ])
    );
  };

  /** The learner's answer to statement `index` (true: fact): the first answer stands. */
  MythOrFact.prototype.answer = function (index, fact) {
    if (this.state.answers[index] !== undefined || index !== this.state.answers.length) return;
    this.state.answers.push(fact);
    var screen = this.root.querySelector('.zmf-step');
    screen.querySelectorAll('.zmf-question, .zmf-answers').forEach(function (node) {
      node.remove();
    });
    this.fillFeedback(screen, index);
    screen.querySelector('.zmf-feedback').focus();
    this.resize();
    this.reportAnswer(index, fact);
    if (this.state.answers.length === this.statements.length) {
      // The score is final at the last answer: report it now, not when the result is opened,
      // so that a learner who closes the page here has still completed the activity.
      var score = this.getScore();
      var max = this.getMaxScore();
      this.triggerXAPIScored(score, max, 'completed', true, this.passes(score, max));
    }
  };

  MythOrFact.prototype.next = function () {
    if (this.state.index >= this.statements.length - 1) {
      this.state.done = true;
      this.render('.zmf-result');
    } else {
      this.state.index += 1;
      this.render('.zmf-statement');
    }
  };

  /** `answered` for one statement, as a sub-activity of this content (so it is never taken for
   * the activity's own result: it has a parent). */
  MythOrFact.prototype.reportAnswer = function (index, fact) {
    var statement = this.statements[index];
    var part = {
      contentId: this.contentId,
      subContentId: 'statement-' + (index + 1),
      parent: this,
      libraryInfo: this.libraryInfo,
      getTitle: function () {
        return statement.text;
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
        name: { 'en-US': statement.text },
        description: { 'en-US': statement.text },
        type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
        interactionType: 'true-false',
        correctResponsesPattern: [String(statement.fact)]
      });
    }
    var right = fact === statement.fact;
    event.setScoredResult(right ? 1 : 0, 1, undefined, true, right);
    event.data.statement.result.response = String(fact);
    this.trigger(event);
  };

  MythOrFact.prototype.resultScreen = function () {
    var self = this;
    var l10n = this.l10n;
    var score = this.getScore();
    var max = this.getMaxScore();
    var needed = Math.ceil((this.passPercentage * max) / 100);
    var passed = this.passes(score, max);
    return el('div', { class: 'zmf-result', tabindex: '-1' }, [
      el('h2', { class: 'zmf-title', text: l10n.result }),
      el('p', { class: 'zmf-score', text: format(l10n.score, [score, max]) }),
      el('p', { class: 'zmf-passmark', text: format(l10n.passMark, [needed, max]) }),
      el('p', {
        class: 'zmf-outcome zmf-outcome--' + (passed ? 'passed' : 'not-passed'),
        text: passed ? l10n.passed : l10n.notPassed
      }),
      el('h3', { class: 'zmf-subtitle', text: l10n.yourAnswers }),
      el(
        'ol',
        { class: 'zmf-review' },
        this.statements.map(function (statement, index) {
          var answer = self.state.answers[index];
          var right = answer === statement.fact;
          return el('li', { class: 'zmf-review__item' }, [
            el('p', { class: 'zmf-review__text', text: statement.text }),
            el('p', { class: 'zmf-verdict zmf-verdict--' + (right ? 'right' : 'wrong') }, [
              el('span', { class: 'zmf-verdict__mark', 'aria-hidden': 'true' }),
              el('span', { text: right ? l10n.correct : l10n.incorrect })
            ]),
            el('p', {
              class: 'zmf-review__detail',
              text:
                (statement.fact ? l10n.isFact : l10n.isMyth) +
                ' ' +
                format(l10n.yourAnswer, [answer ? l10n.fact : l10n.myth])
            })
          ]);
        })
      ),
      el('div', { class: 'zmf-actions' }, [
        this.button(l10n.tryAgain, function () {
          self.start();
        })
      ])
    ]);
  };

  Zhusan.MythOrFact = MythOrFact;
})(window, window.H5P);
