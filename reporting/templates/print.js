(function () {
  function charts() { return document.querySelectorAll('.plotly-graph-div'); }
  function forPrint() { charts().forEach(function (el) {
    Plotly.relayout(el, {width: {{ print_chart_width }}, height: {{ chart_height }}}); }); }
  function forScreen() { charts().forEach(function (el) {
    Plotly.relayout(el, {width: el.parentElement.clientWidth, height: {{ chart_height }}}); }); }
  window.addEventListener('beforeprint', forPrint);
  window.addEventListener('afterprint', forScreen);
  if (window.matchMedia) {
    var query = window.matchMedia('print');
    var onChange = function (event) { if (event.matches) { forPrint(); } else { forScreen(); } };
    if (query.addEventListener) { query.addEventListener('change', onChange); }
    else if (query.addListener) { query.addListener(onChange); }
  }
})();
