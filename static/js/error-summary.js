// The error summary (templates/_macros/forms.html) receives focus on load, so that keyboard
// and screen-reader users start at the list of what went wrong. A form that posts back to a
// place further down the page (a reviewer's verdict at #activiteit-12) keeps that place:
// there the first message or field in error beside it receives focus instead.
// A link in the summary brings its field into view with its label or question.
(function () {
  var summary = document.querySelector('[data-error-summary]');
  if (!summary || summary.getAttribute('data-focused')) { return; }
  summary.setAttribute('data-focused', 'true');
  var place = location.hash.length > 1 && document.getElementById(location.hash.slice(1));
  var beside = place && place.querySelector('.form-errors, [aria-invalid="true"]');
  if (beside) {
    // After the browser's own move to the fragment, which would take the focus away again.
    window.addEventListener('load', function () {
      setTimeout(function () { beside.focus(); }, 0);
    });
  } else {
    summary.focus();
  }
  summary.addEventListener('click', function (event) {
    var link = event.target.closest('a[href^="#"]');
    var input = link && document.getElementById(link.getAttribute('href').slice(1));
    if (!input) { return; }
    event.preventDefault();
    var group = /^(radio|checkbox)$/.test(input.type) && input.closest('fieldset');
    var label = (group && group.querySelector('legend')) ||
      document.querySelector('label[for="' + input.id + '"]') || input;
    label.scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
