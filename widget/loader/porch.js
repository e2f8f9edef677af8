/* Porch loader: the only script a host page runs. It opens a visitor session, draws the
 * launcher (in a shadow root, safe from page CSS), exposes window.Porch, arms the flow
 * watchers the server chose, keeps presence with a beacon, and embeds the real widget
 * (Brython, in an iframe) only on intent. Protocol: docs/protocol.md, flows: docs/flows.md */
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
  var watch, armed = [], told = [], done = {}, timers = [], cart = { value: 0, items: 0 }, teaser, who, form, pinger, idler;

  // Our work waits for the host page to be idle: its own tasks first, ours short.
  function soon(f) { (w.requestIdleCallback || function (g) { setTimeout(g, 1); })(f, { timeout: 3000 }); }
  function get() { try { return localStorage.getItem(store); } catch (e) { return null; } }
  function set(v) { try { localStorage.setItem(store, v); } catch (e) { /* private mode */ } }
  // Cut to the server's limits (in code points, never splitting an emoji) and without what
  // it refuses (NUL, lone surrogates): an odd page must not cost its visitor the chat.
  function clip(s, max) {
    s = String(s || "").replace(/\0/g, "");
    return Array.from(s.toWellFormed ? s.toWellFormed() : s).slice(0, max).join("");
  }
  function page() {
    return { url: clip(location.href, 2048), title: clip(d.title, 500),
      referrer: clip(d.referrer, 2048) };
  }
  // For the operator's details panel: a guess at where and in which language (docs/inbox.md).
  function browser() {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* old */ }
    return { language: clip(navigator.language, 35), time_zone: clip(zone, 64) };
  }
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
    var body = { site_key: key, visitor_token: get(), page: page(), identity: identity,
      browser: browser() };
    return fetch(base + "/widget/v1/session", {
      // A text/plain body: a simple CORS request, no preflight round trip.
      method: "POST",
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
      // Its watchers are armed once the launcher is drawn.
      watch = s.watch;
      soon(function () {
        draw(s.site || {});
        // Replies that came while the shopper was away.
        unread(s.unread);
        init();
        if (s.watch) soon(function () {
          arm(s.watch);
          if (who) ping({ visitor: visitor(who) });
        });
      });
    }).catch(function (e) {
      // A 4xx (origin not allowed, unknown site, rate limited) is final and stays
      // invisible. A 5xx or a failed fetch (server restarting, network) is retried.
      // A bug after the session opened: never draw twice.
      if (session) throw e;
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
    ".t{position:fixed;right:20px;bottom:92px;z-index:2147483000;max-width:260px;padding:12px 30px 12px 14px;" +
    "border-radius:14px;background:#fff;color:#1f2330;font:14px/1.4 system-ui,sans-serif;cursor:pointer;" +
    "box-shadow:0 8px 28px rgba(0,0,0,.2);white-space:pre-wrap}.t button{position:absolute;top:4px;right:6px;" +
    "border:0;background:none;font-size:18px;cursor:pointer;color:#6b7080}:host(.left) .t{right:auto;left:20px}" +
    "@media (prefers-reduced-motion:reduce){.p,.p.o,.l{transition:none}}[hidden]{display:none}" +
    ":host(.dark) .p,:host(.dark) .t{background:#15171d;color:#e8eaf0}" +
    "@media (prefers-color-scheme:dark){:host(.auto) .p,:host(.auto) .t{background:#15171d;color:#e8eaf0}}" +
    ":host([dir=rtl]) .t{padding:12px 14px 12px 30px}:host([dir=rtl]) .t button{right:auto;left:6px}";
  var ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 ' +
    '2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

  function draw(site) {
    var host = d.createElement("div"), root = host.attachShadow({ mode: "open" });
    var color = [me.getAttribute("data-color"), site.color].filter(function (c) {
      return c && w.CSS && CSS.supports("color", c);
    })[0] || "#4f46e5";
    host.id = "porch-widget";
    host.style.setProperty("--c", color);
    // Right to left for Arabic and Hebrew (the site's language, else the browser's): the
    // teaser reads that way and the launcher sits on the left unless the snippet says.
    var lang = site.language && site.language !== "auto" ? site.language : navigator.language || "";
    var rtl = /^(ar|he)\b/i.test(lang), position = me.getAttribute("data-position");
    if (rtl) host.dir = "rtl";
    if (position === "left" || (rtl && position !== "right")) host.className = "left";
    // Dark like the widget: the site's `theme`, `auto` following prefers-color-scheme.
    host.classList.add(site.theme === "dark" || site.theme === "light" ? site.theme : "auto");
    root.innerHTML = "<style>" + STYLE + '</style><div class="p" role="dialog" aria-label="Chat"></div>' +
      '<button class="l" type="button" data-testid="porch-launcher" aria-expanded="false">' + ICON +
      '<span class="b" data-testid="porch-unread" hidden></span></button>' +
      '<div class="t" data-testid="porch-teaser" role="status" hidden><span></span>' +
      '<button type="button" aria-label="Dismiss">\u00d7</button></div>';
    panel = root.querySelector(".p");
    launcher = root.querySelector(".l");
    badge = root.querySelector(".b");
    teaser = root.querySelector(".t");
    teaser.addEventListener("click", function (e) {
      teaser.hidden = true;
      if (e.target.tagName !== "BUTTON") api.open();
    });
    label();
    launcher.addEventListener("click", function () { hit("click"); api.toggle(); });
    launcher.addEventListener("pointerenter", embed);
    launcher.addEventListener("focus", embed);
    d.body.appendChild(host);
    // A server without flows (older) expects the widget at idle; with them, only on intent.
    if (!watch) (w.requestIdleCallback || function (f) { setTimeout(f, 2000); })(embed, { timeout: 2000 });
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
    // Page signals for the widget (docs/protocol.md).
    listen("scroll");
    d.addEventListener("visibilitychange", function () { signal("visibility", d.visibilityState); });
  }

  function unread(n) {
    n = Math.max(0, n | 0);
    badge.hidden = !n;
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.setAttribute("aria-label", n + (n === 1 ? " unread message" : " unread messages"));
    // A reply waits: load the widget.
    if (n) embed();
  }

  w.addEventListener("message", function (e) {
    var m = e.data;
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin || !m) return;
    if (m.porch === "ready") { ready = 1; init(); }
    else if (m.porch === "unread") unread(m.count);
    else if (m.porch === "close") api.close();
    else if (m.porch === "open") api.open();
    else if (m.porch === "event" && m.name === "message") fire("message", m.data);
  });

  function show(open) {
    if (!panel || isOpen === open) return;
    embed();
    isOpen = open;
    if (open) teaser.hidden = true;
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
  // Watchers cost the host page nothing until a flow needs them: each listener is added
  // (passive) when `arm` sees a trigger of its kind.
  var depth = 0, scrollTimer, exitAt = 0, lastY = 0, on = {}, sentinel, since = 0;
  var touch = navigator.maxTouchPoints > 0;
  function listen(kind) {
    if (on[kind]) return;
    on[kind] = 1;
    var opt = { passive: true, capture: true };
    if (kind === "scroll") { lastY = w.scrollY; w.addEventListener("scroll", scrolled, opt); scrolled(); }
    if (kind === "exit") {
      // On phones, a fast scroll back up.
      listen("scroll");
      d.addEventListener("mouseout", left, opt);
      if (touch) ["touchend", "pointerup", "keydown"].forEach(function (e) { w.addEventListener(e, guard, opt); });
    }
    if (kind === "form") {
      listen("exit");
      d.addEventListener("input", function (e) { if (e.target.form) form = 1; }, opt);
      d.addEventListener("submit", function () { form = 0; }, opt);
    }
    if (kind === "idle") ["mousemove", "keydown", "scroll", "touchstart", "click"].forEach(function (e) {
      w.addEventListener(e, idle, opt);
    });
  }
  function scrolled() {
    if (scrollTimer) return;
    scrollTimer = setTimeout(function () {
      scrollTimer = 0;
      var el = d.documentElement, max = el.scrollHeight - w.innerHeight, y = w.scrollY;
      var pct = max > 0 ? Math.min(100, Math.round(100 * y / max)) : 100;
      if (pct > depth) {
        signal("scroll", depth = pct);
        hit("scroll", function (t) { return pct >= t.percent; });
      }
      // On phones there is no mouse to leave: a fast scroll back up is the exit intent.
      if (on.exit && lastY - y > w.innerHeight / 2) exit();
      lastY = y;
    }, 500);
  }
  function left(e) { if (!e.relatedTarget && e.clientY <= 0) exit(); }
  function exit() {
    if (Date.now() - exitAt < 10000) return;
    exitAt = Date.now();
    signal("exit_intent", true);
    hit("exit");
    if (form) hit("form");
    if (sentinel === 1 && !waiting("exit") && history.state && history.state.porch_exit) {
      // Nothing left to catch: the host's Back button is its own again.
      sentinel = 2;
      history.back();
    }
  }
  function waiting(on) { return armed.some(function (t) { return t.on === on && !done[t.flow]; }); }
  // Phones: Back is the way out. After the visitor's first touch (Chromium skips entries
  // pushed without a gesture), one more entry at the same URL; going back from it is the
  // exit intent, and the visitor stays to see the offer (Back again leaves).
  function guard() {
    if (sentinel || !waiting("exit")) return;
    sentinel = 1;
    history.pushState({ porch_exit: 1 }, "");
  }
  w.addEventListener("popstate", function (e) {
    if (sentinel === 1 && !(e.state && e.state.porch_exit)) { sentinel = 2; exit(); }
  });

  // Flows: the server chose what to watch for (docs/flows.md); when one fires, it starts
  // the flow, and its first message shows as a teaser (or opens the chat).
  function send(path, body) {
    body.visitor_token = session.visitor_token;
    return fetch(base + path, { method: "POST", body: JSON.stringify(body) }).then(function (r) {
      if (r.ok) return r.json();
      throw r.status;
    });
  }
  function arm(wt) {
    timers.forEach(clearTimeout);
    watch = wt;
    armed = wt.triggers || [];
    armed.forEach(function (t) {
      if (t.on === "scroll" || t.on === "exit" || t.on === "form") listen(t.on);
      if (t.idle_ms) listen("idle");
    });
    timers = armed.filter(function (t) { return t.on === "timer"; }).map(function (t) {
      // Time on this page counts from its start, not from when the watchers were armed.
      return setTimeout(function () { hit("timer", function (x) { return x === t; }); }, t.ms - (performance.now() - since));
    });
    hit("now");
    idle();
    // What the page told us before the watchers were armed (the first arm waits for idle).
    if (cart.items) hit("cart", function (t) { return cart.value >= t.value; });
    told.splice(0).forEach(function (n) { hit("event", function (t) { return t.name === n; }, n); });
    if (w.Shopify && armed.some(function (t) { return t.cart; })) {
      fetch("/cart.js").then(function (r) { return r.json(); }).then(function (c) {
        track("cart", { value: c.total_price / 100, items: c.item_count });
      }).catch(function () {});
    }
    if (!pinger) pinger = setInterval(function () { if (!d.hidden) ping(); }, 1000 * (wt.ping_seconds || 60));
    // Armed: a mark the page (and its tests) can wait for before acting out a trigger.
    var host = d.getElementById("porch-widget");
    if (host) host.setAttribute("data-watching", "");
  }
  // Idle this long (no mouse, key, scroll or touch) counts as leaving (abandoned carts).
  function idle() {
    clearTimeout(idler);
    var ms = armed.filter(function (t) { return t.idle_ms && !done[t.flow]; }).map(function (t) { return t.idle_ms; });
    if (ms.length) idler = setTimeout(function () { hit("exit", function (t) { return t.idle_ms; }); }, Math.min.apply(0, ms));
  }
  function hit(on, test, ev) {
    var ts = armed.filter(function (t) { return t.on === on && !done[t.flow] && (!test || test(t)); });
    if (!ts.length) return;
    ts.forEach(function (t) { done[t.flow] = 1; });
    var body = { on: on, flows: ts.map(function (t) { return t.flow; }), page: page() };
    if (ts.some(function (t) { return t.cart; })) body.cart = cart;
    if (ev) body.event = ev;
    send("/widget/v1/flows/fire", body).then(function (r) {
      if (r.started) return proactive(r);
      // The cart may fill later.
      ts.forEach(function (t) { if (t.cart) done[t.flow] = 0; });
    }).catch(function () {});
  }
  function proactive(r) {
    var m = r.messages[0];
    // The visitor is about to talk: load the widget now.
    embed();
    if (r.open || watch.display === "open") return api.open();
    if (m && !isOpen) {
      teaser.firstChild.textContent = m.body;
      teaser.hidden = false;
      unread(r.messages.length);
    }
  }
  function track(name, props) {
    name = String(name);
    props = props || {};
    if (name === "cart") {
      var more = (+props.items || 0) > cart.items;
      cart = { value: +props.value || 0, items: +props.items || 0 };
      if (more) hit("cart_add");
      hit("cart", function (t) { return cart.value >= t.value; });
    }
    hit("event", function (t) { return t.name === name; }, name);
    if (!pinger) told.push(name);
  }
  // Presence without the widget: a beacon while the page is visible (the widget's socket
  // does it once loaded). It also carries page changes and setVisitor, and says unread.
  function ping(extra) {
    if (!watch || (inited && !extra)) return;
    send("/widget/v1/ping", extra || {}).then(function (r) {
      unread(r.unread);
      if (r.watch) arm(r.watch);
    }).catch(function () {});
  }
  function visitor(data) {
    var v = {}, a = {}, any = 0;
    for (var k in data) {
      var x = data[k];
      if (k === "name" || k === "email") { if (x) v[k] = String(x); }
      else if (k !== "id" && k !== "hash" && /^(string|number|boolean)$/.test(typeof x)) a[k] = x, any = 1;
    }
    if (any) v.attributes = a;
    return v;
  }
  // SPA navigation: report each new URL once.
  function navigated() {
    setTimeout(function () {
      if (location.href === lastUrl) return;
      lastUrl = location.href;
      since = performance.now();
      if (session && (frame || !watch)) post({ porch: "page", page: page() });
      else if (session) ping({ page: page() });
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
    track: track,
    setVisitor: function (data) {
      if (data && data.hash) {
        // A verified identity: the server checks the hash.
        identity = { id: String(data.id), hash: String(data.hash) };
        if (data.name) identity.name = String(data.name);
        if (data.email) identity.email = String(data.email);
        if (session) identify();
      }
      post({ porch: "visitor", data: data });
      if (!session) who = data;
      else if (watch && !frame) ping({ visitor: visitor(data) });
    }
  };

  // Replay calls made to a stub (array, or object with a `q` array) before we loaded.
  var stub = w.Porch, queue = stub && (Array.isArray(stub) ? stub : stub.q) || [];
  w.Porch = api;
  queue.forEach(function (call) { if (api[call[0]]) api[call[0]].apply(api, call.slice(1)); });

  // The session request waits for the host page's load event: until then the page's own
  // resources have the network to themselves (the loader is the only request we add).
  if (d.readyState === "complete") soon(function () { start(0); });
  else w.addEventListener("load", function () { soon(function () { start(0); }); });
})(window, document);
