/*
 * civicscore report pages: picks the page language, draws the charts and
 * sorts the tables.
 * A local file: it loads nothing and calls no server. Chart options arrive
 * as JSON data; the only functions used in them (tooltip formatters) are
 * defined here, and every string from the data is HTML-escaped before it
 * reaches a tooltip.
 *
 * Languages: every page holds its text in each language, in elements
 * marked data-lang-body, and the style sheet shows the one named by
 * <html data-lang>. This script is loaded in <head> and sets that language
 * before the page is drawn: ?lang= in the address first, then the reader's
 * earlier choice (localStorage, which a browser may refuse for file://
 * pages: then the choice lasts for the page only), then the page's default
 * (data-default-lang). The switch ([data-set-lang]) changes it in place and
 * draws the charts again in the new language.
 */
(function () {
  'use strict';

  var STORE = 'civicscore.lang';
  var root = document.documentElement;
  var texts = {}, text = { tooFew: 'too few responses', interval: '95%', colon: ': ' };
  var chartsByLang = {};

  // langOf maps a language tag to one the pages carry, or null.
  function langOf(l) {
    l = String(l || '').toLowerCase();
    if (l === 'en' || l.indexOf('en-') === 0) return 'en';
    if (l === 'zh' || l.indexOf('zh-') === 0) return 'zh-CN';
    return null;
  }

  function stored() {
    try { return langOf(window.localStorage.getItem(STORE)); } catch (e) { return null; }
  }

  function store(l) {
    try { window.localStorage.setItem(STORE, l); } catch (e) { /* file:// may refuse storage */ }
  }

  function queried() {
    var m = /[?&]lang=([^&#]*)/.exec(window.location.search || '');
    if (!m) return null;
    try { return langOf(decodeURIComponent(m[1])); } catch (e) { return null; }
  }

  var lang = queried() || stored() || langOf(root.getAttribute('data-default-lang')) || 'zh-CN';
  root.setAttribute('data-lang', lang);
  root.setAttribute('lang', lang);

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function fmt(v, unit) {
    if (typeof v !== 'number' || !isFinite(v)) return null;
    return unit === 'pct' ? v.toFixed(1) + '%' : String(Math.round(v * 10) / 10);
  }

  // axisTooltip lists, for the hovered category, each line's value with its
  // interval, or "too few responses" where the value is suppressed. Band
  // series (ids starting "band-") are drawing aids and are left out.
  function axisTooltip(meta, unit) {
    return function (params) {
      if (!Array.isArray(params)) params = [params];
      if (!params.length) return '';
      var head = params[0].axisValueLabel != null ? params[0].axisValueLabel : params[0].name;
      var out = '<div style="font-weight:600;margin-bottom:2px">' + esc(head) + '</div>';
      params.forEach(function (p) {
        var id = String(p.seriesId || '');
        if (id.indexOf('band-') === 0) return;
        var m = meta ? meta[id] : null;
        var i = p.dataIndex;
        var s, ci = '';
        if (m && m.s && m.s[i]) {
          s = text.tooFew;
        } else {
          s = fmt(typeof p.value === 'number' ? p.value : (p.value && p.value.value), unit);
          if (s === null) return;
          if (m && m.lo && typeof m.lo[i] === 'number' && typeof m.hi[i] === 'number') {
            ci = text.interval + ' ' + fmt(m.lo[i], unit) + ' – ' + fmt(m.hi[i], unit);
          }
        }
        var note = m && m.note && m.note[i] ? m.note[i] : '';
        out += '<div style="margin-top:2px">' + (p.marker || '') + esc(p.seriesName) + esc(text.colon || ': ') + '<b>' + esc(s) + '</b>' +
          (ci ? '<div style="font-size:11px;opacity:.75;padding-left:14px">' + esc(ci) + '</div>' : '') +
          (note ? '<div style="font-size:12px;font-weight:600;padding-left:14px">' + esc(note) + '</div>' : '') + '</div>';
      });
      return out;
    };
  }

  // itemTooltip covers the charts whose tooltip shows one item: heat map
  // cells, points of the Lorenz curve, communities on the map and on a
  // funnel plot.
  function itemTooltip(opt, kind) {
    var xs = opt.xAxis && opt.xAxis[0] ? opt.xAxis[0].data : null;
    var ys = opt.yAxis && opt.yAxis[0] ? opt.yAxis[0].data : null;
    var unit = kind === 'mappct' ? 'pct' : 'num';
    return function (p) {
      if (Array.isArray(p)) p = p[0];
      if (!p) return '';
      var v = p.value;
      if (kind === 'heat') {
        var row = ys && Array.isArray(v) ? ys[v[1]] : '';
        var col = xs && Array.isArray(v) ? xs[v[0]] : '';
        var s = p.seriesId === 'sup' ? text.tooFew : fmt(Array.isArray(v) ? v[2] : v, 'num');
        return '<div style="font-weight:600">' + esc(row) + '</div>' + esc(col) + esc(text.colon) + '<b>' + esc(s) + '</b>';
      }
      var d = p.data || {};
      if (kind === 'lines') {
        // A funnel-plot community: its name, then the lines the page wrote.
        var body = '<div style="font-weight:600">' + esc(d.csName != null ? d.csName : p.name) + '</div>';
        (Array.isArray(d.csLines) ? d.csLines : []).forEach(function (l) { body += '<div>' + esc(l) + '</div>'; });
        return body;
      }
      var name = d.csName != null ? d.csName : p.name;
      var out = fmt(typeof v === 'number' ? v : NaN, unit);
      if (out === null) out = d.csSuppressed ? text.tooFew : (text.noData || '—');
      return '<div style="font-weight:600">' + esc(name) + '</div>' + esc(p.seriesName) + esc(text.colon) + '<b>' + esc(out) + '</b>';
    };
  }

  // drawCharts draws the charts of one language (options by container
  // id). The options are copied, never changed, so they can be drawn again.
  function drawCharts(options) {
    var drawn = [];
    if (typeof echarts === 'undefined') return drawn;
    Object.keys(options || {}).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) return;
      var opt = {};
      Object.keys(options[id]).forEach(function (k) { opt[k] = options[id][k]; });
      var unit = opt.csTooltip;
      var meta = opt.csMeta;
      var geo = opt.csGeo;
      delete opt.csTooltip;
      delete opt.csMeta;
      delete opt.csGeo;
      if (geo && geo.name && geo.json) echarts.registerMap(geo.name, geo.json);
      if (opt.tooltip) {
        var tip = {};
        Object.keys(opt.tooltip).forEach(function (k) { tip[k] = opt.tooltip[k]; });
        tip.formatter = (unit === 'heat' || unit === 'map' || unit === 'mappct' || unit === 'lines') ?
          itemTooltip(opt, unit) : axisTooltip(meta, unit);
        opt.tooltip = tip;
      }
      var chart = echarts.init(el, null, { renderer: 'canvas' });
      chart.setOption(opt);
      drawn.push(chart);
    });
    return drawn;
  }

  function redraw() {
    (window.civicscoreCharts || []).forEach(function (c) { c.dispose(); });
    text = texts[lang] || text;
    window.civicscoreCharts = drawCharts(chartsByLang[lang]);
  }

  // setTitle shows the document title of the language shown.
  function setTitle() {
    var b = document.querySelector('[data-lang-body="' + lang + '"]');
    if (b && b.getAttribute('data-title')) document.title = b.getAttribute('data-title');
  }

  // setLang shows the page in l, remembers the choice and keeps an address
  // with ?lang= in step, so a reload shows the same language.
  function setLang(l) {
    l = langOf(l);
    if (!l || l === lang) return;
    lang = l;
    root.setAttribute('data-lang', l);
    root.setAttribute('lang', l);
    store(l);
    if (queried()) {
      try {
        window.history.replaceState(null, '', window.location.search.replace(/([?&]lang=)[^&#]*/, '$1' + encodeURIComponent(l)) + window.location.hash);
      } catch (e) { /* file:// may refuse it; the stored choice remains */ }
    }
    setTitle();
    redraw();
  }

  // sortable lets a click (or Enter) on a header sort the table by that
  // column: numbers by data-sort (empty last), text by locale.
  function sortable(table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    var ths = head.cells;
    Array.prototype.forEach.call(ths, function (th, col) {
      function sort() {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(ths, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var num = th.getAttribute('data-type') === 'num';
        var lang = document.documentElement.lang || 'zh-CN';
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          if (num) {
            var xs = x.getAttribute('data-sort'), ys = y.getAttribute('data-sort');
            if (!xs && !ys) return 0;
            if (!xs) return 1;
            if (!ys) return -1;
            return asc ? xs - ys : ys - xs;
          }
          var c = x.textContent.localeCompare(y.textContent, lang);
          return asc ? c : -c;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (r) { frag.appendChild(r); });
        body.appendChild(frag);
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); }
      });
    });
  }

  // init receives the chart options and the tooltip text, each by
  // language, draws the charts of the language shown and wires the page.
  function init(options, t) {
    chartsByLang = options || {};
    texts = t || {};
    setTitle();
    redraw();
    var pending = false;
    window.addEventListener('resize', function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        (window.civicscoreCharts || []).forEach(function (c) { c.resize(); });
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-set-lang]'), function (a) {
      a.addEventListener('click', function (e) {
        e.preventDefault();
        setLang(a.getAttribute('data-set-lang'));
        // Keep the keyboard focus on the switch, now the shown language's.
        var next = document.querySelector('[data-lang-body="' + lang + '"] [data-set-lang]');
        if (next) next.focus();
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), sortable);
    Array.prototype.forEach.call(document.querySelectorAll('[data-print]'), function (b) {
      b.addEventListener('click', function () { window.print(); });
    });
  }

  window.civicscore = { init: init, setLang: setLang, lang: function () { return lang; } };
})();
