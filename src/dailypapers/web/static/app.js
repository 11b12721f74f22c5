// Upvote without reloading the page: progressive enhancement of the vote forms.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-vote]");
  if (!form) return;
  event.preventDefault();
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch(form.getAttribute("action"), {  // form.action is the input named "action"
    method: "POST",
    headers: { "Accept": "application/json", "X-CSRF-Token": token },
    body: new URLSearchParams(new FormData(form)),
    credentials: "same-origin",
  });
  if (response.status === 401) {
    window.location = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    return;
  }
  if (!response.ok) return;
  const result = await response.json();
  const button = form.querySelector("button");
  form.querySelector(".count").textContent = String(result.votes);
  form.querySelector('input[name="action"]').value = result.voted ? "down" : "up";
  button.classList.toggle("on", result.voted);
  button.setAttribute("aria-pressed", String(result.voted));
});
