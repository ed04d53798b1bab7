// The operators' console: sign in with the operator token, then every panel from /ops/api.
import { api, el } from "./api.js";

const main = document.getElementById("ops");
const message = document.getElementById("ops-message");
const JSON_POST = { method: "POST", headers: { "Content-Type": "application/json" } };

function say(text) { message.textContent = text; }

function rows(tableId, items, cells) {
  const body = document.querySelector(`#${tableId} tbody`);
  body.replaceChildren(...items.map((item) => el("tr", {}, cells(item).map((c) =>
    el("td", {}, [typeof c === "string" || typeof c === "number" ? String(c) : c])))));
}

function ago(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`;
}

function actionButton(label, path, describe) {
  const button = el("button", { type: "button", class: "button", text: label });
  button.addEventListener("click", () => act(path, describe));
  return button;
}

async function act(path, describe) {
  try {
    const done = await api(path, JSON_POST);
    say(`${describe}: done${done.reviews?.length ? ` (${done.reviews.length} photo(s))` : ""}.`);
  } catch (error) {
    say(`${describe}: ${error.message}`);
  }
  await refresh();
}

function reportRow(entry) {
  const review = entry.review;
  const id = review.submission_id;
  const photos = el("div", { class: "pair-small" }, [
    el("img", { src: `/media/${review.thumb_key}`, alt: `Reported photo ${id}` }),
    el("img", { src: `/api/frames/${encodeURIComponent(review.video)}/${review.frame}/original`, alt: `The original frame ${review.frame + 1}` }),
  ]);
  const reports = el("ul", {}, entry.reports.map((r) =>
    el("li", { text: `${r.reason}${r.note ? `: ${r.note}` : ""} (${ago(r.created_at)} ago)` })));
  const actions = el("div", { class: "row" }, [
    actionButton("Take down", `/ops/api/photos/${encodeURIComponent(id)}/takedown`, `Take down ${id}`),
    actionButton("Restore", `/ops/api/photos/${encodeURIComponent(id)}/restore`, `Restore ${id}`),
    actionButton("Revert contributor", `/ops/api/contributors/${encodeURIComponent(entry.client_id)}/revert`, `Revert ${entry.client_id}`),
  ]);
  return [photos, `${review.status} (${review.reasons.join(", ") || "—"}) · ${id}`, reports, actions];
}

async function showVideos() {
  const progress = await api("/ops/api/progress");
  const histories = await Promise.all(progress.videos.map((v) =>
    api(`/ops/api/renders?video=${encodeURIComponent(v.video)}`).catch(() => ({ renders: [] }))));
  rows("progress", progress.videos.map((v, i) => [v, histories[i]]), ([v, history]) => [
    v.video,
    `${v.filled} of ${v.frame_count}`,
    el("ul", {}, history.renders.slice(0, 5).map((r) => el("li", {
      text: `${ago(r.built_at)} ago · ${r.render_seconds.toFixed(1)} s · ${r.segments_encoded} encoded, ${r.segments_reused} reused · ${Object.entries(r.publishers).map(([k, o]) => `${k} ${o}`).join(", ")}`,
    }))),
    actionButton("Render now", `/ops/api/videos/${encodeURIComponent(v.video)}/render`, `Render ${v.video}`),
  ]);
}

async function refresh() {
  const panels = [
    api("/ops/api/reports").then((q) => rows("reports", q.photos, reportRow)),
    api("/ops/api/queues").then((q) => rows("queues", q.queues, (d) =>
      [d.queue, d.waiting, d.in_flight, d.dead_letters ?? "—"])),
    api("/ops/api/pending").then((p) => rows("pending", p.reviews, (r) =>
      [r.submission_id, `${r.video} #${r.frame + 1}`, `${ago(r.created_at)}${r.reasons.length ? ` · ${r.reasons.join(", ")}` : ""}`])),
    showVideos(),
    api("/ops/api/spend").then((s) => {
      document.getElementById("spend-note").textContent =
        `Computed from the crowd settings: ${s.cents_per_judgment} cents per judgment.`;
      rows("spend", s.videos, (v) => [v.video, v.approved_frames, v.judgments, v.cents]);
    }),
    api("/ops/api/audit").then((a) => rows("audit", a.entries, (e) =>
      [new Date(e.at).toLocaleString(), e.who, e.action, e.target, e.outcome])),
  ];
  const failed = (await Promise.allSettled(panels)).filter((p) => p.status === "rejected");
  if (failed.length) say(`Some panels could not be loaded: ${failed[0].reason.message}`);
  main.dataset.state = "ready";
}

function showConsole(session) {
  document.getElementById("sign-in-section").hidden = true;
  document.getElementById("console").hidden = false;
  document.getElementById("sign-out").hidden = false;
  document.getElementById("who").textContent =
    `Signed in as ${session.session} until ${new Date(session.expires_at).toLocaleTimeString()}.`;
  return refresh();
}

document.getElementById("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = document.getElementById("token");
  try {
    const session = await api("/ops/session", { ...JSON_POST, body: JSON.stringify({ token: token.value }) });
    token.value = "";
    say("Signed in.");
    await showConsole(session);
  } catch (error) {
    say(error.status === 401 ? "That is not the operator token." : error.message);
  }
});

document.getElementById("photo-action").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = document.getElementById("photo-id").value.trim();
  const action = event.submitter?.value || "takedown";
  act(`/ops/api/photos/${encodeURIComponent(id)}/${action}`, `${action} ${id}`);
});

document.getElementById("revert").addEventListener("submit", (event) => {
  event.preventDefault();
  const client = document.getElementById("client-id").value.trim();
  act(`/ops/api/contributors/${encodeURIComponent(client)}/revert`, `Revert ${client}`);
});

document.getElementById("sign-out").addEventListener("click", async () => {
  await api("/ops/session/end", JSON_POST).catch(() => null);
  location.reload();
});

async function start() {
  try {
    await showConsole(await api("/ops/api/me"));
  } catch {
    document.getElementById("sign-in-section").hidden = false;
    main.dataset.state = "signed-out";
  }
}

start();
