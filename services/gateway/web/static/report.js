// The report button under a shown photo: a small form (reason + optional note) that files
// one report per visitor with POST /api/photos/{id}/reports.
import { api, el } from "./api.js";

const REASONS = [
  ["nudity", "Nudity"],
  ["hate", "Hate or harassment"],
  ["personal_data", "Personal data"],
  ["other", "Something else"],
];
const MAX_NOTE = 500;

export function reportControl(photo, who) {
  const id = photo.submission_id;
  const status = el("p", { class: "hint", role: "status", "data-report-status": id });
  const reason = el("select", { id: `report-reason-${id}`, name: "reason" },
    REASONS.map(([value, label]) => el("option", { value, text: label })));
  const note = el("textarea", { id: `report-note-${id}`, name: "note", maxlength: String(MAX_NOTE), rows: "2" });
  const send = el("button", { type: "submit", class: "button", text: "Send report" });
  const form = el("form", { class: "report-form" }, [
    el("label", { for: reason.id, text: "Why?" }), reason,
    el("label", { for: note.id, text: "Anything to add (optional)" }), note,
    send, status,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    send.disabled = true;
    try {
      const answer = await api(`/api/photos/${encodeURIComponent(id)}/reports`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ reason: reason.value, note: note.value.slice(0, MAX_NOTE) }),
      });
      status.textContent = answer.hidden
        ? "Thank you. The photo is hidden until an operator has looked at it."
        : answer.counted ? "Thank you. An operator will look at it." : "You have already reported this photo.";
    } catch (error) {
      status.textContent = error.status === 429
        ? "Too many reports from here just now; please try again in a minute."
        : "The report could not be sent right now.";
      send.disabled = false;
    }
  });
  return el("details", { class: "report", "data-report": id }, [
    el("summary", { text: `Report the photo by ${who}` }), form,
  ]);
}
