// Share page: the copy-link button (the preview tags are in the HTML the server sent).
import { copyText } from "./api.js";

for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", () =>
    copyText(button.dataset.copy, document.querySelector("[data-copied]")));
}
