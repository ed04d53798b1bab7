// My frames: every submission of this browser's visitor, with status, where it plays,
// share and delete; the keep-my-frames link; asking for notifications (on a click only).
import { api, clockTime, copyText, el } from "./api.js";

const main = document.getElementById("me");
const list = document.getElementById("mine");

function statusText(s) {
  if (s.status === "approved") {
    return s.live_at_seconds != null ? "Approved · in the video" : "Approved · in the next version of the video";
  }
  if (s.status === "rejected") return `Not approved${s.reasons.length ? ` (${s.reasons.join(", ")})` : ""}`;
  if (s.status === "pending") return "The crowd is looking at it";
  return s.status;
}

function actions(s) {
  const items = [el("a", { href: s.frame_url, text: `Frame ${s.frame + 1} of ${s.video}` })];
  if (s.player_url) {
    items.push(el("a", { href: s.player_url, text: `In the clip at ${clockTime(s.live_at_seconds)}` }));
  }
  if (s.share_url) items.push(el("a", { href: s.share_url, text: "Share" }));
  const remove = el("button", { type: "button", class: "button", text: "Delete my photo" });
  remove.addEventListener("click", () => deleteOne(s, remove));
  items.push(remove);
  return el("div", { class: "actions" }, items);
}

function row(s) {
  const score = s.score != null ? ` · crowd score ${Math.round(s.score * 100)}%` : "";
  return el("li", { "data-submission": s.submission_id }, [
    el("img", { src: s.thumb_url, alt: `Your photo for frame ${s.frame + 1}`, width: "160", height: "90" }),
    el("div", {}, [
      el("p", {}, [el("span", { class: `badge ${s.status}`, text: statusText(s) }), score]),
      actions(s),
    ]),
  ]);
}

async function deleteOne(s, button) {
  if (!confirm(`Delete your photo for frame ${s.frame + 1}? This cannot be undone.`)) return;
  button.disabled = true;
  try {
    await api(`/api/me/submissions/${encodeURIComponent(s.submission_id)}`, { method: "DELETE" });
  } catch (error) {
    button.disabled = false;
    showError(`The photo could not be deleted: ${error.message}`);
    return;
  }
  await load();
}

function showError(text) {
  const box = document.getElementById("me-error");
  box.textContent = text;
  box.hidden = false;
}

async function load() {
  let mine;
  try {
    mine = await api("/api/me/submissions");
  } catch (error) {
    showError("Your frames could not be loaded right now.");
    main.dataset.state = "error";
    return;
  }
  list.replaceChildren(...mine.submissions.map(row));
  document.getElementById("me-empty").hidden = mine.submissions.length > 0;
  main.dataset.state = mine.submissions.length ? "listed" : "empty";
}

document.getElementById("make-keep").addEventListener("click", async () => {
  const field = document.getElementById("keep-url");
  try {
    const link = await api("/api/me/keep-link");
    field.value = new URL(link.url, location.origin).href;
    field.hidden = false;
    await copyText(field.value, document.getElementById("notify-state"));
  } catch (error) {
    showError(error.status === 401 ? "Send a photo first: this browser has no frames yet." : error.message);
  }
});

const notifyState = document.getElementById("notify-state");
document.getElementById("allow-notify").addEventListener("click", async () => {
  if (!("Notification" in window)) {
    notifyState.textContent = "This browser cannot show notifications; this page will still tell you.";
    return;
  }
  const answer = await Notification.requestPermission();
  notifyState.textContent = answer === "granted"
    ? "The browser will tell you when your frame is in the video."
    : "Notifications are off; any open page of this site will still tell you.";
});

load();
