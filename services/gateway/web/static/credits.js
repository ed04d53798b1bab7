// Credits: everyone whose photo is in the video, in frame order.
import { api, el, linkPagesToVideo, pageVideo } from "./api.js";

const main = document.getElementById("credits-page");

async function load() {
  const video = pageVideo ?? (await api("/api/clip")).video;
  document.getElementById("credits-title").textContent = `Credits of ${video}`;
  const answer = await api(`/api/videos/${encodeURIComponent(video)}/credits`);
  document.getElementById("credits").replaceChildren(...answer.credits.map((c) =>
    el("li", { value: String(c.frame + 1) }, [
      el("a", { href: c.frame_url, text: `Frame ${c.frame + 1}` }),
      ` · ${c.display_name || "Anonymous"}`,
    ])));
  document.getElementById("credits-empty").hidden = answer.credits.length > 0;
  main.dataset.state = answer.credits.length ? "listed" : "empty";
}

linkPagesToVideo();
load().catch(() => { main.dataset.state = "error"; });
