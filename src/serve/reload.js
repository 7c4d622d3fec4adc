// trendsite serve: live reload and the build-error overlay. Injected into
// pages by `trendsite serve` only; never part of a built site.
//
// Server-Sent Events rather than a WebSocket: the messages only ever go from
// server to browser, and EventSource reconnects by itself when the server
// restarts, with no client code for it.
(function () {
  "use strict";
  var instance = null;
  var overlay = null;

  function showErrors(errors) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "trendsite-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,20,24,.94);color:#f5f5f5;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var h = document.createElement("h2");
    h.style.cssText = "margin:0 0 1rem;color:#ff8a80;font:600 18px system-ui,sans-serif";
    h.textContent = "Build failed: " + errors.length + (errors.length === 1 ? " error" : " errors") +
      ". Showing the last good site underneath; fix the file and this goes away.";
    overlay.appendChild(h);
    errors.forEach(function (e) {
      var where = document.createElement("div");
      where.className = "trendsite-error-location";
      where.style.cssText = "color:#80cbc4;margin-top:1rem";
      where.textContent = e.location;
      var pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:.25rem 0 0";
      pre.textContent = e.report;
      overlay.appendChild(where);
      overlay.appendChild(pre);
    });
  }

  function swapCss(paths) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    var stamp = Date.now();
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      var path = url.pathname.replace(/^\//, "");
      if (paths.indexOf(path) >= 0 || paths.some(function (p) { return path.endsWith("/" + p); })) {
        url.searchParams.set("trendsite", stamp);
        link.href = url.toString();
      }
    });
  }

  var source = null;
  // The connection's state on <html data-trendsite-reload>, for anyone (or
  // any test driving a browser) asking whether an edit will reach this page:
  // the server subscribes the stream to rebuilds before it answers, so from
  // "open" on no rebuild is missed.
  var root = document.documentElement;
  function listen() {
    source = new EventSource("/__trendsite/events");
    source.addEventListener("open", function () { root.dataset.trendsiteReload = "open"; });
    source.addEventListener("error", function () { root.dataset.trendsiteReload = "closed"; });
    source.addEventListener("hello", function (e) {
      var id = JSON.parse(e.data).instance;
      // A different instance means the server restarted: the page may be stale.
      if (instance !== null && instance !== id) { location.reload(); }
      instance = id;
    });
    source.addEventListener("reload", function () { location.reload(); });
    source.addEventListener("css", function (e) { swapCss(JSON.parse(e.data).paths); });
    source.addEventListener("errors", function (e) { showErrors(JSON.parse(e.data).errors); });
  }
  listen();
  // A page kept in the back/forward cache would keep its stream open, and
  // browsers allow six connections per host: the seventh page opened would
  // wait for a minute. Close on leaving; a page shown again may be stale.
  addEventListener("pagehide", function () { source.close(); });
  addEventListener("pageshow", function (e) { if (e.persisted) { location.reload(); } });
})();
