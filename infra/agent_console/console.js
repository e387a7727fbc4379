// The agents' console: the queue, a conversation's transcript with its understanding, a reply box,
// resolve and hand back, and the insights. Plain browser JavaScript, no build step. The stack hosts
// the folder (ConsoleUrl) with a config.js naming its API and Cognito's hosted sign-in
// (signin.js); elsewhere set data-api on <body> to the stack's ApiUrl and paste a token.
(function () {
  "use strict";
  const signIn = window.SocialcareSignIn;
  const api = signIn.api || document.body.dataset.api || "";
  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem("agentToken") || "";
  let current = null; // the open conversation's id
  window.consoleTimings = {};

  const escapeHtml = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const status = (text, error) => { $("status").textContent = text; $("status").className = error ? "error" : ""; };

  async function call(method, path, body) {
    if (signIn.hosted) token = await signIn.current();
    const response = await fetch(api + path, {
      method,
      headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      // 409 and 5xx carry the desk's own reason (a resolved conversation, a closed reply window,
      // a platform that refused the message): shown as it is, so the agent knows nothing went out.
      const why = { 401: signIn.hosted ? "Your session has ended: sign in again." : "Sign in with an agent token.", 403: "This token may not use the agent console.", 404: "No such conversation." }[response.status];
      throw new Error(why || data.message || "HTTP " + response.status);
    }
    return data;
  }

  function waited(since) {
    if (!since) return "";
    const s = Math.max(0, Date.now() / 1000 - since);
    return s < 60 ? Math.round(s) + " s" : s < 3600 ? Math.round(s / 60) + " min" : Math.round(s / 3600) + " h";
  }

  async function loadQueue() {
    const started = performance.now();
    const data = await call("GET", "/agent/conversations?state=" + encodeURIComponent($("state").value));
    const fetched = performance.now();
    const rows = data.conversations.map((c) =>
      `<tr data-id="${escapeHtml(c.id)}"${c.id === current ? ' class="selected"' : ""}>` +
      `<td>${c.vip ? '<span class="vip" title="VIP">★</span>' : ""}</td>` +
      `<td>${escapeHtml(c.id)}</td><td>${escapeHtml(c.channel)}</td><td>${waited(c.waiting_since)}</td>` +
      `<td>${escapeHtml(c.handoff_reason)}</td><td>${escapeHtml(c.last_message)}</td>` +
      `<td><span class="chip ${escapeHtml(c.last_sentiment)}">${escapeHtml(c.last_sentiment)}</span></td></tr>`);
    const body = $("queue").tBodies[0];
    body.innerHTML = rows.join("");
    $("queue-count").textContent = data.conversations.length + " conversation(s)";
    $("queue").dataset.rendered = String(data.conversations.length);
    void $("queue").offsetHeight; // lay the table out, so the time covers what the agent sees
    const done = performance.now();
    // fetch: the API and its JSON; render: building and laying out the rows.
    window.consoleTimings = { fetchMs: fetched - started, renderMs: done - fetched, queueMs: done - started };
  }

  function turnHtml(t) {
    const who = t.role === "customer" ? "customer" : t.source === "human" ? "human" : "bot";
    const understanding = t.role === "customer"
      ? `<span class="chip intent">${escapeHtml(t.intent || "other")}</span><span class="chip sentiment ${escapeHtml(t.sentiment)}">${escapeHtml(t.sentiment || "neutral")}</span>`
      : `<span class="chip">${escapeHtml(t.source)}</span>`;
    const at = new Date(t.at * 1000).toLocaleTimeString();
    return `<li class="${who}"><div class="meta">${who} · ${at} ${understanding}</div><div class="text">${escapeHtml(t.text)}</div></li>`;
  }

  async function openConversation(id) {
    current = id;
    const c = await call("GET", "/agent/conversations/" + encodeURIComponent(id));
    $("conversation-pane").hidden = false;
    $("conversation-title").textContent = `${c.id} · ${c.state}${c.vip ? " · VIP" : ""}`;
    $("summary").textContent = c.summary;
    const p = c.profile;
    $("profile").textContent = p ? `${p.display_name || "(no name kept)"} · ${p.tier} · ${p.language || "?"} · orders ${p.orders.join(", ") || "none"} · ${p.conversations.length} conversation(s)` : "";
    $("transcript").innerHTML = c.turns.map(turnHtml).join("");
    $("transcript").scrollTop = $("transcript").scrollHeight;
    for (const row of $("queue").tBodies[0].rows) row.classList.toggle("selected", row.dataset.id === id);
  }

  async function act(path, body, done) {
    if (!current) return;
    try {
      await call("POST", `/agent/conversations/${encodeURIComponent(current)}/${path}`, body);
      status(done);
      await openConversation(current);
      await loadQueue();
    } catch (error) { status(error.message, true); }
  }

  function bars(data, color) {
    const entries = Object.entries(data);
    const max = Math.max(1, ...entries.map(([, v]) => v));
    const h = 18, w = 420, label = 150;
    const rows = entries.map(([k, v], i) =>
      `<text x="0" y="${i * h + 12}">${escapeHtml(k)}</text>` +
      `<rect x="${label}" y="${i * h + 2}" width="${((w - label - 40) * v) / max}" height="${h - 6}" fill="${color}"></rect>` +
      `<text x="${label + ((w - label - 40) * v) / max + 4}" y="${i * h + 12}">${v}</text>`);
    return `<svg viewBox="0 0 ${w} ${Math.max(h, entries.length * h)}" role="img">${rows.join("")}</svg>`;
  }

  function lines(points) {
    const w = 420, h = 160, pad = 20;
    const series = { negative: "var(--neg)", neutral: "var(--neu)", positive: "var(--pos)" };
    const max = Math.max(1, ...points.flatMap((p) => Object.keys(series).map((k) => p[k])));
    const x = (i) => pad + (points.length > 1 ? ((w - 2 * pad) * i) / (points.length - 1) : (w - 2 * pad) / 2);
    const y = (v) => h - pad - ((h - 2 * pad) * v) / max;
    const paths = Object.entries(series).map(([k, color]) =>
      `<polyline class="series-${k}" fill="none" stroke="${color}" stroke-width="2" points="${points.map((p, i) => `${x(i)},${y(p[k])}`).join(" ")}"></polyline>` +
      points.map((p, i) => `<circle cx="${x(i)}" cy="${y(p[k])}" r="2.5" fill="${color}"></circle>`).join(""));
    const labels = points.map((p, i) => `<text x="${x(i) - 12}" y="${h - 4}">${new Date(p.at * 1000).getHours()}:00</text>`);
    return `<svg viewBox="0 0 ${w} ${h}" role="img">${paths.join("")}${labels.join("")}</svg>`;
  }

  function histogram(seconds) {
    const edges = [30, 60, 120, 300, 600, 1800, Infinity];
    const names = ["<30", "30-60", "1-2 min", "2-5 min", "5-10 min", "10-30 min", "30+ min"];
    const counts = Object.fromEntries(names.map((n) => [n, 0]));
    for (const s of seconds) counts[names[edges.findIndex((e) => s < e)]] += 1;
    return bars(counts, "var(--accent)");
  }

  const percent = (x) => (100 * x).toFixed(1) + " %";

  async function loadInsights() {
    const d = await call("GET", "/agent/insights");
    $("containment").textContent = percent(d.containment_rate);
    $("escalation").textContent = percent(d.escalation_rate);
    $("first-response").textContent = d.first_response_s.human_median === null ? "–" : d.first_response_s.human_median + " s";
    $("conversations").textContent = d.conversations;
    $("chart-channel").innerHTML = bars(d.volume_by_channel, "var(--accent)");
    $("chart-intent").innerHTML = bars(d.volume_by_intent, "#7c5cd6");
    $("chart-sentiment").innerHTML = lines(d.sentiment_over_time);
    $("chart-first-response").innerHTML = histogram(d.first_response_s.human);
    $("outcomes").tBodies[0].innerHTML = outcomeRows(d.outcomes);
  }

  function outcomeRows(outcomes) {  // the figures `socialcare report outcomes` prints (issue 19)
    const rows = [...Object.entries(outcomes.by_channel_language), ["all", outcomes.all]];
    return rows.map(([key, o]) =>
      `<tr><td>${escapeHtml(key)}</td><td>${o.conversations}</td><td>${percent(o.resolved_by_bot)}</td>` +
      `<td>${percent(o.handed_to_person)}</td><td>${percent(o.reopened_7d)}</td>` +
      `<td>${o.csat === null ? "–" : escapeHtml(o.csat) + " (" + o.csat_answers + ")"}</td></tr>`).join("");
  }

  async function show(view) {
    for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.view === view);
    $("view-queue").hidden = view !== "queue";
    $("view-insights").hidden = view !== "insights";
    try {
      await (view === "queue" ? loadQueue() : loadInsights());
      status(view === "queue" ? "" : "Insights over the stored conversations.");
    } catch (error) { status(error.message, true); }
  }

  $("signin").addEventListener("submit", (event) => {
    event.preventDefault();
    if (signIn.hosted) { signIn.start(); return; }
    token = $("token").value.trim();
    sessionStorage.setItem("agentToken", token);
    show("queue");
  });
  $("signout").addEventListener("click", () => { token = ""; signIn.signOut(); status("Signed out."); });
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => show(tab.dataset.view));
  $("state").addEventListener("change", () => show("queue"));
  $("refresh").addEventListener("click", () => show("queue"));
  $("queue").tBodies[0].addEventListener("click", (event) => {
    const row = event.target.closest("tr");
    if (row) openConversation(row.dataset.id).catch((error) => status(error.message, true));
  });
  $("reply-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("reply-text").value.trim();
    if (!text) return;
    act("messages", { text }, "Sent to the customer.").then(() => { if (!$("status").classList.contains("error")) $("reply-text").value = ""; });
  });
  $("resolve").addEventListener("click", () => act("resolve", {}, "Resolved."));
  $("handback").addEventListener("click", () => act("handback", {}, "Handed back to the bot."));

  $("token").hidden = signIn.hosted;
  signIn.complete()
    .then((issued) => { token = issued || token; })
    .catch((error) => status(error.message, true))
    .then(() => { if (token) show("queue"); else if (!$("status").textContent) status(signIn.hosted ? "Sign in to answer customers." : "Sign in with an agent token."); });
})();
