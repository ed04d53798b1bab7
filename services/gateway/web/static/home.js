// Home page: the current clip (swapped in place when a new version is published), the
// last approved frames, progress and a mosaic of every slot.
import { api, el, formatCount, frameLink, linkPagesToVideo, pageVideo, withVideo } from "./api.js";
import { reportControl } from "./report.js";

const POLL_MS = 5000;
const MOSAIC_WIDTH = 640; // canvas pixels; the page scales it to fit
const main = document.getElementById("home");
const player = document.getElementById("player");
// HLS where the browser plays it itself: with a resolution ladder the master playlist
// lets it pick a rung by the bandwidth it measures. Elsewhere the MP4 (the top rung).
const PLAYS_HLS = player.canPlayType("application/vnd.apple.mpegurl") !== "";
let shownVersion = null;
// "/v/{video}#t=12.48" (from My frames) starts the player at that moment, once.
let pendingSeek = Number((location.hash.match(/^#t=(\d+(?:\.\d+)?)$/) || [])[1]);

function seekOnce() {
  if (!Number.isFinite(pendingSeek)) return;
  player.currentTime = pendingSeek;
  player.dataset.seekedTo = String(pendingSeek);
  pendingSeek = NaN;
}
player.addEventListener("loadedmetadata", seekOnce);
window.addEventListener("hashchange", () => {
  pendingSeek = Number((location.hash.match(/^#t=(\d+(?:\.\d+)?)$/) || [])[1]);
  if (player.readyState >= 1) seekOnce();
});

// A video host's player (GATEWAY_FEATURED_PLAYER=vimeo) keeps its own embed URL while the
// host replaces the video's file, so it is set once and left to play.
function showHostedPlayer(url) {
  const frame = document.getElementById("hosted-player");
  document.getElementById("no-clip").hidden = true;
  player.hidden = true;
  player.pause();
  frame.hidden = false;
  if (frame.src !== url) frame.src = url;
}

function showClip(info) {
  if (info.player_embed_url) return showHostedPlayer(info.player_embed_url);
  const clip = info.clip;
  document.getElementById("no-clip").hidden = Boolean(clip);
  player.hidden = !clip;
  if (!clip || clip.version === shownVersion) return;
  const wasPlaying = !player.paused;
  shownVersion = clip.version;
  player.poster = clip.poster_url;
  player.src = PLAYS_HLS && clip.hls_url ? clip.hls_url : clip.mp4_url;
  player.dataset.version = clip.version;
  if (wasPlaying) player.play().catch(() => {});
}

function showProgress(info) {
  const total = info.frame_count || 0;
  const filled = info.filled || 0;
  document.getElementById("progress-text").textContent =
    `${formatCount(filled)} of ${formatCount(total)} frames re-made`;
  const bar = document.getElementById("progress");
  bar.max = Math.max(total, 1);
  bar.value = filled;
}

function drawMosaic(info) {
  const canvas = document.getElementById("mosaic");
  const total = info.frame_count || 0;
  if (!total) return;
  // A 16:9 grid of one cell per slot, read left to right like the clip plays.
  const columns = Math.ceil(Math.sqrt(total * 16 / 9));
  const rows = Math.ceil(total / columns);
  const cell = Math.max(2, Math.floor(MOSAIC_WIDTH / columns));
  const gap = cell >= 8 ? 1 : 0;
  canvas.width = columns * cell;
  canvas.height = rows * cell;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#1b1b1b";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const filled = new Set(info.filled_frames || []);
  for (let frame = 0; frame < total; frame++) {
    // Filled slots glow in a hue that walks through the clip; empty ones stay dim.
    ctx.fillStyle = filled.has(frame) ? `hsl(${(frame * 360) / total}, 90%, 60%)` : "#3a3a3a";
    const x = (frame % columns) * cell;
    const y = Math.floor(frame / columns) * cell;
    ctx.fillRect(x + gap, y + gap, cell - 2 * gap, cell - 2 * gap);
  }
  canvas.setAttribute("aria-label",
    `Mosaic of all ${formatCount(total)} frames; ${formatCount(filled.size)} re-made`);
}

function showRecent(recent) {
  const list = document.getElementById("recent");
  const items = recent.frames.map((f) =>
    el("li", {}, [
      el("a", { href: frameLink(f.video, f.frame) }, [
        el("img", { src: f.thumb_url, alt: `Frame ${f.frame + 1} re-made by ${f.display_name || "someone"}`,
                    width: "128", height: "72", loading: "lazy" }),
        el("span", { text: `${f.display_name || "Anonymous"} · frame ${f.frame + 1}` }),
      ]),
      reportControl(f, f.display_name || "an anonymous visitor"),
    ]));
  list.replaceChildren(...items);
  list.dataset.count = String(items.length);
  document.getElementById("no-recent").hidden = items.length > 0;
}

async function refresh() {
  const [clip, recent] = await Promise.allSettled([
    api(withVideo("/api/clip")), api("/api/frames/recent?limit=10"),
  ]);
  if (clip.status === "fulfilled") {
    showClip(clip.value);
    showProgress(clip.value);
    drawMosaic(clip.value);
  } else {
    document.getElementById("no-clip").hidden = false;
    player.hidden = true;
    document.getElementById("progress-text").textContent = "No video has been imported yet.";
  }
  if (recent.status === "fulfilled") showRecent(recent.value);
  else showRecent({ frames: [] });
  main.dataset.state = "ready";
}

async function showVideos() {
  let list;
  try { list = await api("/api/videos"); } catch { return; }
  const current = pageVideo ?? list.videos[0]?.video;
  const others = list.videos.filter((v) => v.video !== current);
  // The featured video (listed first) lives at "/"; the others at /v/{video}.
  const links = others.map((v) =>
    el("li", {}, [el("a", { href: v === list.videos[0] ? "/" : v.page_url, text: v.video })]));
  document.getElementById("videos").replaceChildren(...links);
  document.getElementById("videos-section").hidden = others.length === 0;
}

linkPagesToVideo();
refresh();
showVideos();
setInterval(refresh, POLL_MS);
