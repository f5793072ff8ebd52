// Draws the page's charts with the vendored echarts (load
// /static/vendor/echarts/echarts.min.js before this file). Each chart is an
// element with data-chart="ID", where ID names a
// <script type="application/json"> holding an echarts option, as written by
// the Go package egovkpi/dashboards/charts. The page's CSP allows no inline
// code, so the options are data only; what needs code is here:
//   - the top-level key egovkpiLocale ("vi" or "en") picks the number format
//     of tooltips and value axes (Vietnamese writes 12,5; English 12.5);
//   - the optional key egovkpiUnit (such as "%") follows tooltip values.
// Both keys are removed before the option reaches echarts.
// A drawn chart gets data-chart-ready="1" after its first 'finished' event;
// one that cannot be drawn gets a short notice and data-chart-error="1".
(function () {
  'use strict';

  var drawn = [];

  var notices = {
    vi: 'Không vẽ được biểu đồ.',
    en: 'The chart could not be drawn.'
  };

  function fail(el, lang) {
    el.textContent = notices[lang] || notices.vi;
    el.classList.add('chart-error');
    el.dataset.chartError = '1';
  }

  // numbers returns a formatter for a value axis or tooltip: blank values
  // (gaps) are a dash, others the locale's digits then the unit.
  function numbers(lang, unit) {
    var nf = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {maximumFractionDigits: 2});
    var suffix = !unit ? '' : unit === '%' ? '%' : '\u00a0' + unit;
    return function (v) {
      return typeof v === 'number' && isFinite(v) ? nf.format(v) + suffix : '–';
    };
  }

  function draw(el) {
    var lang = document.documentElement.lang;
    var src = document.getElementById(el.dataset.chart);
    var option = null;
    try {
      option = JSON.parse(src ? src.textContent : 'null');
    } catch (e) {
      option = null;
    }
    if (option && typeof option.egovkpiLocale === 'string') {
      lang = option.egovkpiLocale;
    }
    if (!window.echarts || !option || typeof option !== 'object') {
      fail(el, lang);
      return;
    }
    var unit = option.egovkpiUnit || '';
    delete option.egovkpiLocale;
    delete option.egovkpiUnit;

    // The CSP blocks the style attributes of echarts' HTML tooltip, so the
    // tooltip is drawn in the canvas instead.
    option.tooltip = option.tooltip || {};
    option.tooltip.renderMode = 'richText';
    option.tooltip.valueFormatter = numbers(lang, unit);
    var axisNumber = numbers(lang, '');
    [].concat(option.yAxis || []).forEach(function (axis) {
      if (axis.type === 'value') {
        axis.axisLabel = axis.axisLabel || {};
        axis.axisLabel.formatter = axisNumber;
      }
    });

    var chart = window.echarts.init(el, null, {renderer: 'canvas'});
    var ready = function () {
      el.dataset.chartReady = '1';
      chart.off('finished', ready);
    };
    chart.on('finished', ready);
    chart.setOption(option);
    drawn.push(chart);
  }

  var pending = false;
  function resize() {
    if (pending) {
      return;
    }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      drawn.forEach(function (chart) {
        chart.resize();
      });
    });
  }

  function start() {
    [].forEach.call(document.querySelectorAll('[data-chart]'), draw);
    window.addEventListener('resize', resize);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
