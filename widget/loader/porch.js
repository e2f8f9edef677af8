/* Porch loader: the only script a host page runs. It opens a visitor session, draws the
 * launcher (in a shadow root, safe from page CSS), exposes window.Porch, forwards page
 * signals, and embeds the real widget (Brython, in an iframe) lazily. Protocol: docs/protocol.md */
(function (w, d) {
  "use strict";
  var me = d.currentScript || [].slice.call(d.scripts).reverse().filter(function (s) {
    return /\/widget\/porch\.js(\?|$)/.test(s.src);
  })[0];
  if (!me || w.__porch) return;
  w.__porch = 1;

  var key = me.getAttribute("data-site") || "";
  var base = me.src.replace(/\/widget\/porch\.js.*$/, "");
  var origin = new URL(base).origin;
  var store = "porch:" + key;
  var handlers = {}, outbox = [], signals = {}, early = [];
  var session, frame, panel, launcher, badge, ready, inited, isOpen, identity, lastUrl = location.href;

  function get() { try { return localStorage.getItem(store); } catch (e) { return null; } }
  function set(v) { try { localStorage.setItem(store, v); } catch (e) { /* private mode */ } }
  function page() { return { url: location.href, title: d.title, referrer: d.referrer }; }
  function fire(name, data) {
    (handlers[name] || []).forEach(function (fn) {
      try { fn(data); } catch (e) { setTimeout(function () { throw e; }); }
    });
  }

  // Host → frame messages wait (in order) until the frame is ready and initialised.
  function post(msg) {
    if (inited) frame.contentWindow.postMessage(msg, origin); else outbox.push(msg);
  }
  function init() {
    if (!ready || !session || inited) return;
    frame.contentWindow.postMessage({ porch: "init", token: session.visitor_token,
      site: session.site, operators_online: session.operators_online, page: page() }, origin);
    inited = 1;
    outbox.splice(0).forEach(post);
    for (var n in signals) post({ porch: "signal", name: n, value: signals[n] });
    signals = {};
  }

  function open() {
    var body = { site_key: key, visitor_token: get(), page: page(), identity: identity };
    return fetch(base + "/widget/v1/session", {
      method: "POST", // a text/plain body: a simple CORS request, no preflight round trip
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.ok) return r.json();
      throw r.status;
    }).then(function (s) {
      if (s.identity && s.identity !== "verified") console.warn("Porch: identity " + s.identity);
      set(s.visitor_token);
      return s;
    });
  }

  function start(tries) {
    open().then(function (s) {
      session = s;
      draw(s.site || {});
      unread(s.unread); // replies that came while the shopper was away
      init();
    }).catch(function (e) {
      // A 4xx (origin not allowed, unknown site, rate limited) is final and stays
      // invisible. A 5xx or a failed fetch (server restarting, network) is retried.
      if (session) throw e; // a bug after the session opened: never draw twice
      if (e > 0 && e < 500) return console.warn("Porch: session refused (" + e + ")");
      if (tries < 5) setTimeout(start, 2000 * Math.pow(2, tries), tries + 1);
    });
  }

  // Signed in after the session opened: ask again. If that makes this browser another
  // visitor (the user's own, from an earlier visit), the widget starts over as them.
  function identify() {
    open().then(function (s) {
      var moved = s.visitor.id !== session.visitor.id;
      session = s;
      unread(s.unread);
      if (moved && frame) { ready = inited = 0; frame.src = frame.src; }
    }).catch(function (e) { console.warn("Porch: identity not checked (" + e + ")"); });
  }

  var STYLE =
    ":host{all:initial}" +
    ".l{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:60px;height:60px;border:0;" +
    "border-radius:50%;background:var(--c);color:#fff;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.22);" +
    "display:grid;place-items:center;transition:transform .15s}" +
    ".l:hover{transform:scale(1.06)}.l:focus-visible{outline:3px solid #f59e0b;outline-offset:3px}" +
    ".l svg{width:28px;height:28px;fill:currentColor}" +
    ".b{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;" +
    "border-radius:10px;background:#e11d48;color:#fff;font:600 12px/20px system-ui,sans-serif;text-align:center}" +
    ".p{position:fixed;right:20px;bottom:92px;z-index:2147483000;width:380px;height:600px;" +
    "max-height:calc(100vh - 112px);border-radius:16px;overflow:hidden;background:#fff;" +
    "box-shadow:0 12px 48px rgba(0,0,0,.25);opacity:0;transform:translateY(12px);visibility:hidden;" +
    "transition:opacity .18s,transform .18s,visibility 0s .18s}" +
    ".p.o{opacity:1;transform:none;visibility:visible;transition:opacity .18s,transform .18s}" +
    ".p iframe{width:100%;height:100%;border:0;display:block}" +
    "@media (max-width:480px){.p{inset:0;width:auto;height:auto;max-height:none;border-radius:0}" +
    ".p.o~.l{display:none}}" +
    ":host(.left) .l{right:auto;left:20px}@media (min-width:481px){:host(.left) .p{right:auto;left:20px}}" +
    "@media (prefers-reduced-motion:reduce){.p,.p.o,.l{transition:none}}[hidden]{display:none}";
  var ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 ' +
    '2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

  function draw(site) {
    var host = d.createElement("div"), root = host.attachShadow({ mode: "open" });
    var color = [me.getAttribute("data-color"), site.color].filter(function (c) {
      return c && w.CSS && CSS.supports("color", c);
    })[0] || "#4f46e5";
    host.id = "porch-widget";
    host.style.setProperty("--c", color);
    if (me.getAttribute("data-position") === "left") host.className = "left";
    root.innerHTML = "<style>" + STYLE + '</style><div class="p" role="dialog" aria-label="Chat"></div>' +
      '<button class="l" type="button" data-testid="porch-launcher" aria-expanded="false">' + ICON +
      '<span class="b" data-testid="porch-unread" hidden></span></button>';
    panel = root.querySelector(".p");
    launcher = root.querySelector(".l");
    badge = root.querySelector(".b");
    label();
    launcher.addEventListener("click", api.toggle);
    launcher.addEventListener("pointerenter", embed);
    launcher.addEventListener("focus", embed);
    d.body.appendChild(host);
    (w.requestIdleCallback || function (f) { setTimeout(f, 2000); })(embed, { timeout: 2000 });
    early.splice(0).forEach(function (f) { f(); });
  }

  function label() {
    launcher.setAttribute("aria-label", isOpen ? "Close chat" : "Open chat");
    launcher.setAttribute("aria-expanded", isOpen ? "true" : "false");
  }

  function embed() {
    if (frame || !panel) return;
    frame = d.createElement("iframe");
    frame.src = base + "/widget/frame?site=" + encodeURIComponent(key);
    frame.title = "Chat";
    frame.setAttribute("data-testid", "porch-frame");
    panel.appendChild(frame);
  }

  function unread(n) {
    n = Math.max(0, n | 0);
    badge.hidden = !n;
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.setAttribute("aria-label", n + (n === 1 ? " unread message" : " unread messages"));
  }

  w.addEventListener("message", function (e) {
    var m = e.data;
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin || !m) return;
    if (m.porch === "ready") { ready = 1; init(); }
    else if (m.porch === "unread") unread(m.count);
    else if (m.porch === "close") api.close();
    else if (m.porch === "event" && m.name === "message") fire("message", m.data);
  });

  function show(open) {
    if (!panel || isOpen === open) return;
    embed();
    isOpen = open;
    panel.classList.toggle("o", open);
    label();
    post({ porch: open ? "open" : "close" });
    if (open) frame.focus(); else if (d.activeElement && d.activeElement.id === "porch-widget") launcher.focus();
    fire(open ? "open" : "close", {});
  }

  // Page signals for proactive features, throttled and coalesced until the frame is up.
  function signal(name, value) {
    if (inited) post({ porch: "signal", name: name, value: value }); else signals[name] = value;
  }
  var depth = 0, scrollTimer, exitAt = 0;
  w.addEventListener("scroll", function () {
    if (scrollTimer) return;
    scrollTimer = setTimeout(function () {
      scrollTimer = 0;
      var el = d.documentElement, max = el.scrollHeight - w.innerHeight;
      var pct = max > 0 ? Math.min(100, Math.round(10 * w.scrollY / max) * 10) : 100;
      if (pct > depth) signal("scroll", depth = pct);
    }, 500);
  }, { passive: true });
  d.addEventListener("mouseout", function (e) {
    if (!e.relatedTarget && e.clientY <= 0 && Date.now() - exitAt > 10000) {
      exitAt = Date.now();
      signal("exit_intent", true);
    }
  });
  d.addEventListener("visibilitychange", function () { signal("visibility", d.visibilityState); });

  // SPA navigation: report each new URL once.
  function navigated() {
    setTimeout(function () {
      if (location.href === lastUrl) return;
      lastUrl = location.href;
      if (session) post({ porch: "page", page: page() });
    });
  }
  ["pushState", "replaceState"].forEach(function (m) {
    var orig = history[m];
    history[m] = function () { var r = orig.apply(this, arguments); navigated(); return r; };
  });
  w.addEventListener("popstate", navigated);
  w.addEventListener("hashchange", navigated);

  // open/close/toggle called before the launcher is drawn wait for it.
  function later(f) { return function () { if (panel) f(); else early.push(f); }; }
  var api = {
    open: later(function () { show(true); }),
    close: later(function () { show(false); }),
    toggle: later(function () { show(!isOpen); }),
    on: function (name, fn) { (handlers[name] = handlers[name] || []).push(fn); },
    setVisitor: function (data) {
      if (data && data.hash) { // a verified identity: the server checks the hash
        identity = { id: String(data.id), hash: String(data.hash) };
        if (data.name) identity.name = String(data.name);
        if (data.email) identity.email = String(data.email);
        if (session) identify();
      }
      post({ porch: "visitor", data: data });
    }
  };

  // Replay calls made to a stub (array, or object with a `q` array) before we loaded.
  var stub = w.Porch, queue = stub && (Array.isArray(stub) ? stub : stub.q) || [];
  w.Porch = api;
  queue.forEach(function (call) { if (api[call[0]]) api[call[0]].apply(api, call.slice(1)); });

  // The session request waits for the host page's load event: until then the page's own
  // resources have the network to themselves (the loader is the only request we add).
  if (d.readyState === "complete") start(0); else w.addEventListener("load", function () { start(0); });
})(window, document);
