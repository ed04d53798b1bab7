// Small shared helpers for the pages: JSON calls that turn error answers into exceptions.

export class ApiError extends Error {
  constructor(status, code, detail, retryAfter) {
    super(detail || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { credentials: "same-origin", ...options });
  } catch (error) {
    throw new ApiError(0, "network", "We could not reach the server.");
  }
  if (response.status === 204) return null;
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (!response.ok) {
    throw new ApiError(response.status, body?.error, body?.detail, response.headers.get("Retry-After"));
  }
  return body;
}

export function formatCount(n) {
  return new Intl.NumberFormat("en").format(n);
}

export function frameLink(video, frame) {
  return `/frames/${encodeURIComponent(video)}/${frame}`;
}

export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// The video a /v/{video}/… page is about; null on the featured video's own pages.
export const pageVideo = location.pathname.match(/^\/v\/([a-z0-9][a-z0-9-]*)/)?.[1] ?? null;

// An API path about this page's video (the API's default is the featured video).
export function withVideo(path) {
  if (!pageVideo) return path;
  return `${path}${path.includes("?") ? "&" : "?"}video=${encodeURIComponent(pageVideo)}`;
}

// A page of this page's video: "/" or "/contribute" under /v/{video} when it has one.
export function videoPage(path) {
  if (!pageVideo) return path;
  return `/v/${encodeURIComponent(pageVideo)}${path === "/" ? "" : path}`;
}

// Point this page's own links (home, contribute) at its video.
export function linkPagesToVideo() {
  for (const link of document.querySelectorAll("a[data-video-link]")) {
    link.href = videoPage(link.getAttribute("href"));
  }
}

// Copy `text` to the clipboard and say so in `status` (an aria-live element).
export async function copyText(text, status) {
  try {
    await navigator.clipboard.writeText(text);
    if (status) status.textContent = "Link copied.";
  } catch {
    if (status) status.textContent = `Copy this link: ${text}`;
  }
}

// "0:12" for 12.48 seconds.
export function clockTime(seconds) {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}
