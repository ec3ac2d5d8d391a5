/* emlab-lecture: the live slideshow (jupyterlab-slideshow) as a lecturer needs it.

   A JupyterLab plugin in plain JavaScript, loaded by `make lab` (--LabApp.extra_labextensions_path):
   no build step, no npm.  It does two things, only while a notebook is presented:

   1. The keyboard belongs to the lecturer.  The presenter's keys move the deck one step, from
      wherever the focus is (a stepper's button just clicked, a radio button, the notebook):
        next:     → ↓ Space PageDown   (a clicker's "next" sends PageDown)
        previous: ← ↑ Shift+Space PageUp
      except while a text box is being edited (a number box, a code cell): there the keys edit,
      and Escape leaves the box; Escape elsewhere leaves the deck.  A focused button is still
      pressed with Enter.
   2. One press, one visible change.  The deck's steps are its slides, subslides and fragments
      in notebook order; entering a slide, forwards or backwards, shows it from its title.

   The text sizes for the back of the room are in lecture.css, next to this file. */
(function () {
  'use strict';

  const NEXT = new Set(['ArrowRight', 'ArrowDown', 'PageDown', ' ']);
  const PREVIOUS = new Set(['ArrowLeft', 'ArrowUp', 'PageUp']);
  // Where keys type text; everything else (buttons, check boxes, radio buttons) lets them through.
  const TEXT_BOX = 'textarea, select, [contenteditable=""], [contenteditable="true"], '
    + 'input:not([type="button"]):not([type="checkbox"]):not([type="radio"]):not([type="range"])'
    + ':not([type="submit"]):not([type="reset"]):not([type="color"]):not([type="file"])';
  const STYLESHEET = new URL('lecture.css', document.currentScript.src).href;

  function presenting() {
    return document.body.dataset.jpDeckMode === 'presenting';
  }

  function slideType(cell) {
    const slideshow = cell.model.getMetadata('slideshow') || {};
    return slideshow.slide_type || '-';
  }

  /* The deck's steps, in order: for each slide, subslide or fragment (skip and notes cells
     left out), the index of its last cell, the one to make active so that it is all shown. */
  function steps(notebook) {
    const last = [];
    notebook.widgets.forEach((cell, index) => {
      const kind = slideType(cell);
      if (kind === 'skip' || kind === 'notes') return;
      if (!last.length || ['slide', 'subslide', 'fragment'].includes(kind)) last.push(index);
      else last[last.length - 1] = index;
    });
    return last;
  }

  /* Move the deck `direction` steps (+1 or -1) from the step the active cell is in; nothing
     before the first step or after the last one. */
  function go(notebook, direction) {
    const ends = steps(notebook);
    const current = ends.findIndex(end => end >= notebook.activeCellIndex);
    const target = ends[(current === -1 ? ends.length : current) + direction];
    if (target !== undefined) notebook.activeCellIndex = target;
  }

  /* Focus back on the deck: the active cell, as after a key press in the notebook. */
  function focusDeck(notebook) {
    notebook.setMode('command', {focus: false});
    notebook.activeCell.node.focus({preventScroll: true});
  }

  function onKeydown(app, event) {
    const notebook = app.shell.currentWidget && app.shell.currentWidget.content;
    if (!presenting() || !notebook || !Array.isArray(notebook.widgets)) return;
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const inTextBox = event.target instanceof Element && event.target.matches(TEXT_BOX);
    let action = null;
    if (event.key === 'Escape') action = inTextBox ? 'leave-box' : 'stop';
    else if (!inTextBox && event.key === ' ') action = event.shiftKey ? -1 : +1;
    else if (!inTextBox && NEXT.has(event.key)) action = +1;
    else if (!inTextBox && PREVIOUS.has(event.key)) action = -1;
    if (action === null) return;
    // The deck's key, not the focused widget's (a button, a radio group) nor the slideshow's
    // own binding, which would move by a whole slide or not at all.
    event.preventDefault();
    event.stopImmediatePropagation();
    if (action === 'stop') {
      app.commands.execute('deck:stop');
      return;
    }
    if (action !== 'leave-box') go(notebook, action);
    focusDeck(notebook);
  }

  const plugin = {
    id: 'emlab-lecture:plugin',
    description: 'The presenter keys always move the live slideshow; text a class can read.',
    autoStart: true,
    activate: app => {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = STYLESHEET;
      document.head.appendChild(link);
      // Before anything else sees the key: the capture phase, on the window.
      window.addEventListener('keydown', event => onKeydown(app, event), true);
    }
  };

  // A module federation container, as JupyterLab loads an extension (`get` then `init`).
  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB['emlab-lecture'] = {
    init: () => Promise.resolve(),
    get: module => module === './extension'
      ? Promise.resolve(() => ({__esModule: true, default: [plugin]}))
      : Promise.reject(new Error(`emlab-lecture has no module ${module}`))
  };
})();
