// Show only the part of the activity form that belongs to the chosen category.
(function () {
  var radios = document.querySelectorAll('input[name="category"]');
  var parts = document.querySelectorAll('.category-part');
  if (!radios.length || !parts.length) { return; }
  function update() {
    var chosen = document.querySelector('input[name="category"]:checked');
    parts.forEach(function (part) {
      part.hidden = !!chosen && part.getAttribute('data-category') !== chosen.value;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener('change', update); });
  update();
})();
