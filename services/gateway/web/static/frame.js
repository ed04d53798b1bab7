// Frame page: the original frame beside the approved photos of that slot, with credit.
import { api, copyText, el, formatCount } from "./api.js";
import { reportControl } from "./report.js";

const main = document.getElementById("frame-page");
const [, , video, frameText] = location.pathname.split("/");
const frame = Number(frameText);

async function load() {
  // URLs count slots from 0; people count frames from 1.
  document.getElementById("frame-title").textContent = `Frame ${formatCount(frame + 1)}`;
  const original = document.getElementById("frame-original");
  original.src = `/api/frames/${encodeURIComponent(video)}/${frame}/original`;
  original.alt = `The original frame ${frame + 1}`;
  let slot;
  try {
    slot = await api(`/api/frames/${encodeURIComponent(video)}/${frame}`);
  } catch (error) {
    document.getElementById("frame-credit").textContent =
      error.status === 404 ? "This frame does not exist." : "Photos could not be loaded right now.";
    main.dataset.state = "error";
    return;
  }
  const seconds = slot.fps ? (frame / slot.fps).toFixed(2) : null;
  document.getElementById("position").textContent = slot.frame_count
    ? `Frame ${formatCount(frame + 1)} of ${formatCount(slot.frame_count)}` + (seconds ? ` · at ${seconds} s in the clip` : "")
    : "";
  const photos = slot.photos || [];
  if (photos.length) {
    const best = photos[0];
    const img = document.getElementById("frame-photo");
    img.src = best.medium_url;
    img.alt = `Frame ${frame + 1} re-made by ${best.display_name || "an anonymous visitor"}`;
    img.hidden = false;
    document.getElementById("frame-credit").textContent =
      `By ${best.display_name || "an anonymous visitor"} · crowd score ${Math.round(best.score * 100)}%`;
  }
  document.getElementById("frame-photos").replaceChildren(...photos.map((p) =>
    el("li", {}, [
      el("img", { src: p.thumb_url, alt: `By ${p.display_name || "an anonymous visitor"}`, width: "128", height: "72" }),
      el("span", { text: `${p.display_name || "Anonymous"} · ${Math.round(p.score * 100)}%` }),
      reportControl(p, p.display_name || "an anonymous visitor"),
    ])));
  main.dataset.state = photos.length ? "filled" : "empty";
  if (photos.length) {
    const share = document.getElementById("share-best");
    share.href = `/s/${encodeURIComponent(photos[0].submission_id)}`;
    share.hidden = false;
  }
  flipBook(photos);
}

// The flip-book: every approved photo of the slot, oldest decision first. It never moves
// by itself; Play animates it unless the visitor asks for reduced motion.
const FLIP_MS = 900;
const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)");

function flipBook(photos) {
  const pages = [...photos].sort((a, b) => String(a.decided_at).localeCompare(String(b.decided_at)));
  const section = document.getElementById("history");
  if (pages.length < 2) return;
  section.hidden = false;
  const image = document.getElementById("flip-image");
  const caption = document.getElementById("flip-caption");
  const play = document.getElementById("flip-play");
  let index = 0;
  let timer = null;
  const show = (next) => {
    index = (next + pages.length) % pages.length;
    const p = pages[index];
    const who = p.display_name || "an anonymous visitor";
    image.src = p.medium_url;
    image.alt = `Frame ${frame + 1} by ${who}`;
    caption.textContent = `Photo ${index + 1} of ${pages.length}: by ${who}`;
    section.dataset.page = String(index);
  };
  const stop = () => {
    clearInterval(timer);
    timer = null;
    play.textContent = "Play";
    play.setAttribute("aria-pressed", "false");
  };
  const syncMotion = () => {
    play.disabled = reducedMotion.matches;
    play.title = reducedMotion.matches ? "Animation is off: your system asks for reduced motion" : "";
    if (reducedMotion.matches) stop();
  };
  play.addEventListener("click", () => {
    if (timer) return stop();
    timer = setInterval(() => show(index + 1), FLIP_MS);
    play.textContent = "Pause";
    play.setAttribute("aria-pressed", "true");
  });
  document.getElementById("flip-prev").addEventListener("click", () => { stop(); show(index - 1); });
  document.getElementById("flip-next").addEventListener("click", () => { stop(); show(index + 1); });
  section.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") { stop(); show(index - 1); }
    if (event.key === "ArrowRight") { stop(); show(index + 1); }
  });
  reducedMotion.addEventListener("change", syncMotion);
  syncMotion();
  show(0);
}

document.getElementById("copy-frame-link").addEventListener("click", () =>
  copyText(location.href.split("#")[0], document.querySelector("[data-copied]")));

load();
