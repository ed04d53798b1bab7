// Live notice, on every page: when one of this visitor's photos goes live in a published
// clip, say so in the page and, if the visitor allowed it, with a browser notification.
// Polls /api/me/news; the moment of the last answer is kept so nothing is told twice.
import { api, clockTime } from "./api.js";

const POLL_MS = 15000;
const SINCE_KEY = "ofof-news-since";
const TOLD_KEY = "ofof-news-told";

function toast(message, href) {
  const box = document.createElement("div");
  box.className = "toast";
  box.setAttribute("role", "status");
  box.id = "live-notice";
  const link = document.createElement("a");
  link.href = href;
  link.textContent = message;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "button";
  close.textContent = "Dismiss";
  close.addEventListener("click", () => box.remove());
  box.append(link, " ", close);
  document.getElementById("live-notice")?.remove();
  document.body.append(box);
}

function tell(item) {
  const message = `Your frame ${item.frame + 1} is in the video now, at ${clockTime(item.live_at_seconds)}.`;
  toast(message, item.player_url);
  if ("Notification" in window && Notification.permission === "granted") {
    try { new Notification("One Frame Of Fame", { body: message }); } catch { /* not allowed here */ }
  }
}

async function poll() {
  const since = localStorage.getItem(SINCE_KEY);
  let news;
  try {
    news = await api(since ? `/api/me/news?since=${encodeURIComponent(since)}` : "/api/me/news");
  } catch {
    return;
  }
  localStorage.setItem(SINCE_KEY, news.now);
  // Every new clip lists this visitor's live photos again: tell each one once.
  const told = new Set(JSON.parse(localStorage.getItem(TOLD_KEY) || "[]"));
  for (const item of news.live.filter((i) => !told.has(i.submission_id))) {
    tell(item);
    told.add(item.submission_id);
  }
  localStorage.setItem(TOLD_KEY, JSON.stringify([...told].slice(-200)));
}

poll();
setInterval(poll, POLL_MS);
