// Contribute page: lease a frame, match it with the webcam (onion skin, mirror, 3-2-1),
// upload with progress, then follow the crowd's verdict. Every failure has its own
// friendly state, recorded in <main data-state> (the browser tests wait on it).
import { api, ApiError, frameLink, linkPagesToVideo, videoPage, withVideo } from "./api.js";

const HEARTBEAT_MS = 30000;
const STATUS_POLL_MS = 2000;
const $ = (id) => document.getElementById(id);
const main = $("contribute");
const preview = $("preview");
const shot = $("shot");

let lease = null;       // {lease_id, video, frame, original_url, token, ...}
let stream = null;      // the camera MediaStream
let photo = null;       // the captured JPEG Blob, kept for retries
let submitted = false;
let heartbeatTimer = null;

function setState(state) {
  main.dataset.state = state;
}

function showMessage(state, text, actionLabel, action) {
  setState(state);
  $("message-text").textContent = text;
  const button = $("message-action");
  button.textContent = actionLabel;
  button.onclick = action;
  $("message").hidden = false;
  button.focus();
}

function hideMessage() {
  $("message").hidden = true;
}

async function getLease() {
  setState("leasing");
  hideMessage();
  $("lease-info").textContent = "Finding a frame for you…";
  try {
    lease = await api(withVideo("/api/leases"), { method: "POST" });
  } catch (error) {
    if (error.status === 503 || error.status === 429) {
      const wait = Number(error.retryAfter) || 15;
      showMessage("no-frame",
        `Every frame is taken right now. Try again in about ${wait} seconds.`, "Try again", getLease);
    } else {
      showMessage("lease-failed", "We could not reserve a frame. Please try again.", "Try again", getLease);
    }
    return;
  }
  submitted = false;
  $("original").src = lease.original_url;
  $("onion").src = lease.original_url;
  $("lease-info").textContent = `Frame ${lease.frame + 1} of “${lease.video}” is yours for a while.`;
  $("frame-link").href = frameLink(lease.video, lease.frame);
  startHeartbeat();
  await startCamera();
}

async function releaseLease() {
  stopHeartbeat();
  if (!lease || submitted) return;
  const current = lease;
  lease = null;
  try {
    await api(`/api/leases/${current.lease_id}`, { method: "DELETE", headers: { "X-Lease-Token": current.token } });
  } catch { /* the lease ends by itself when its time is up */ }
}

function startHeartbeat() {
  stopHeartbeat();
  heartbeatTimer = setInterval(async () => {
    if (!lease || submitted) return;
    try {
      const extended = await api(`/api/leases/${lease.lease_id}/heartbeat`,
        { method: "POST", headers: { "X-Lease-Token": lease.token } });
      lease = { ...lease, token: extended.token, expires_at: extended.expires_at };
    } catch (error) {
      if (error.status === 410) leaseExpired();
    }
  }, HEARTBEAT_MS);
}

function stopHeartbeat() {
  clearInterval(heartbeatTimer);
  heartbeatTimer = null;
}

function leaseExpired() {
  stopHeartbeat();
  lease = null;
  stopCamera();
  $("studio").hidden = true;
  showMessage("lease-expired", "Your time for this frame ran out. Get a new frame to try again.",
    "Get a new frame", getLease);
}

async function startCamera() {
  setState("camera");
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
    });
  } catch (error) {
    await releaseLease();
    if (error && (error.name === "NotAllowedError" || error.name === "SecurityError")) {
      showMessage("camera-denied",
        "We need your camera to re-make the frame, and permission was denied. Allow camera access for this site in your browser, then try again.",
        "Try again", () => location.reload());
    } else {
      showMessage("no-camera",
        "We could not find a camera. Connect one (or open this page on your phone), then try again.",
        "Try again", () => location.reload());
    }
    return;
  }
  preview.srcObject = stream;
  $("studio").hidden = false;
  showLive();
}

function stopCamera() {
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
}

function showLive() {
  setState("live");
  shot.hidden = true;
  preview.hidden = false;
  $("onion").hidden = false;
  $("capture").hidden = false;
  $("review").hidden = true;
  $("capture").focus();
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function countdownAndCapture() {
  setState("countdown");
  $("capture").disabled = true;
  const counter = $("countdown");
  counter.hidden = false;
  for (const n of [3, 2, 1]) {
    counter.textContent = String(n);
    await sleep(700);
  }
  counter.hidden = true;
  $("capture").disabled = false;
  capture();
}

function capture() {
  const original = $("original");
  const width = original.naturalWidth ? original.naturalWidth * 2 : 1280;
  const height = original.naturalHeight ? original.naturalHeight * 2 : 720;
  shot.width = width;
  shot.height = height;
  const ctx = shot.getContext("2d");
  // Cover-crop the camera picture to the frame's shape, mirrored as the preview shows it.
  const sw = preview.videoWidth || width;
  const sh = preview.videoHeight || height;
  const scale = Math.max(width / sw, height / sh);
  const cw = width / scale;
  const ch = height / scale;
  ctx.save();
  if ($("mirror").checked) {
    ctx.translate(width, 0);
    ctx.scale(-1, 1);
  }
  ctx.drawImage(preview, (sw - cw) / 2, (sh - ch) / 2, cw, ch, 0, 0, width, height);
  ctx.restore();
  shot.toBlob((blob) => {
    photo = blob;
    setState("review");
    shot.hidden = false;
    preview.hidden = true;
    $("onion").hidden = true;
    $("capture").hidden = true;
    $("review").hidden = false;
    $("submit").focus();
  }, "image/jpeg", 0.92);
}

function upload() {
  if (!lease || !photo) return;
  hideMessage();
  setState("uploading");
  const progress = $("upload-progress");
  progress.hidden = false;
  progress.value = 0;
  $("submit").disabled = true;
  const name = $("display-name").value.trim();
  const query = name ? `?display_name=${encodeURIComponent(name)}` : "";
  const xhr = new XMLHttpRequest();
  xhr.open("POST", `/api/leases/${lease.lease_id}/photo${query}`);
  xhr.setRequestHeader("X-Lease-Token", lease.token);
  xhr.setRequestHeader("Content-Type", "image/jpeg");
  xhr.upload.onprogress = (event) => {
    if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
  };
  xhr.onload = () => {
    $("submit").disabled = false;
    let body = null;
    try { body = JSON.parse(xhr.responseText); } catch { body = null; }
    if (xhr.status === 202) return uploaded(body);
    if (xhr.status === 410) return leaseExpired();
    if (xhr.status === 413 || xhr.status === 415 || xhr.status === 422) {
      return showMessage("upload-rejected", `That photo could not be used: ${body?.detail || "please retake it"}.`,
        "Retake", () => { hideMessage(); showLive(); });
    }
    uploadFailed();
  };
  xhr.onerror = uploadFailed;
  xhr.send(photo);
}

function uploadFailed() {
  $("submit").disabled = false;
  showMessage("upload-failed",
    "Sending your photo failed. Your photo is kept; try sending it again.", "Send again", upload);
}

function uploaded(body) {
  submitted = true;
  stopHeartbeat();
  stopCamera();
  $("studio").hidden = true;
  $("status").hidden = false;
  setState("status-pending");
  pollStatus(body.status_url);
}

const REASONS = {
  nudity: "the crowd flagged it as not suitable",
  low_mimic: "the crowd felt it did not match the original frame closely enough",
  not_trying: "the crowd did not see anyone re-creating the frame",
  takedown: "it was taken down by a moderator",
};

async function pollStatus(url) {
  const text = $("status-text");
  for (;;) {
    try {
      const status = await api(url);
      if (status.status === "approved") {
        setState("status-approved");
        text.innerHTML = "";
        text.append(Object.assign(document.createElement("span"),
          { className: "approved", textContent: "Approved!" }), " Your frame will appear in the clip shortly.");
        return;
      }
      if (status.status === "rejected") {
        setState("status-rejected");
        const why = (status.reasons || []).map((r) => REASONS[r] || r).join("; ") || "no reason given";
        text.innerHTML = "";
        text.append(Object.assign(document.createElement("span"),
          { className: "rejected", textContent: "Not approved:" }), ` ${why}. Give it another go!`);
        return;
      }
      text.textContent = "The crowd is looking at your photo…";
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      text.textContent = "Waiting for the crowd… (the review service is busy)";
    }
    await sleep(STATUS_POLL_MS);
  }
}

$("onion-opacity").addEventListener("input", (event) => {
  $("onion").style.opacity = String(Number(event.target.value) / 100);
});
$("mirror").addEventListener("change", (event) => {
  $("stage").classList.toggle("mirrored", event.target.checked);
});
linkPagesToVideo();
$("stage").classList.toggle("mirrored", $("mirror").checked);
$("capture").addEventListener("click", countdownAndCapture);
$("retake").addEventListener("click", showLive);
$("submit").addEventListener("click", upload);
$("cancel").addEventListener("click", async () => {
  await releaseLease();
  stopCamera();
  location.href = videoPage("/");
});
window.addEventListener("pagehide", () => {
  if (lease && !submitted) {
    navigator.sendBeacon(`/api/leases/${lease.lease_id}/release`);
    lease = null;
  }
});

getLease();
