// Frame page: the original frame beside the approved photos of that slot, with credit.
import { api, el, formatCount } from "./api.js";
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
}

load();
