// Versions: the retained published versions of the clip, each with its own player.
import { api, el, formatCount, linkPagesToVideo, pageVideo } from "./api.js";

const main = document.getElementById("versions-page");

const frames = (n) => `${formatCount(n)} ${n === 1 ? "frame" : "frames"}`;

function entry(v) {
  const when = new Date(v.built_at).toLocaleString();
  // `remade` counts frames that went from original to photo or back, not photo swaps.
  const changed = v.remade == null ? "" : ` · ${frames(v.remade)} re-made or restored since the version before`;
  return el("li", {}, [
    el("h2", { text: `Version of ${when}` }),
    el("p", { class: "hint", text: `${frames(v.filled_slots)} re-made${changed}` }),
    el("video", { src: v.mp4_url, poster: v.poster_url, controls: "", preload: "none",
                  "aria-label": `The clip as published ${when}` }),
  ]);
}

async function load() {
  const video = pageVideo ?? (await api("/api/clip")).video;
  document.getElementById("versions-title").textContent = `Versions of ${video}`;
  const answer = await api(`/api/videos/${encodeURIComponent(video)}/versions`);
  document.getElementById("versions").replaceChildren(...answer.versions.map(entry));
  document.getElementById("versions-empty").hidden = answer.versions.length > 0;
  main.dataset.state = answer.versions.length ? "listed" : "empty";
}

linkPagesToVideo();
load().catch(() => { main.dataset.state = "error"; });
