// Progressive enhancement of the on/off forms: the page works without this file.

// POST a form with fetch, asking for JSON; null when the answer is not a success (a 401 opens
// the sign-in page, coming back here).
async function post(form) {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch(form.getAttribute("action"), {  // form.action is the input named "action"
    method: "POST",
    headers: { "Accept": "application/json", "X-CSRF-Token": token },
    body: new URLSearchParams(new FormData(form)),
    credentials: "same-origin",
  });
  if (response.status === 401) {
    window.location = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    return null;
  }
  return response.ok ? response.json() : null;
}

// Forms matching `selector` submit with fetch; `apply(form, result)` shows the answer.
function enhance(selector, apply) {
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest(selector);
    if (!form) return;
    event.preventDefault();
    const result = await post(form);
    if (result) apply(form, result);
  });
}

// Upvote without reloading the page.
enhance("form[data-vote]", (form, result) => {
  const button = form.querySelector("button");
  form.querySelector(".count").textContent = String(result.votes);
  form.querySelector('input[name="action"]').value = result.voted ? "down" : "up";
  button.classList.toggle("on", result.voted);
  button.setAttribute("aria-pressed", String(result.voted));
});

// Save to the reading list, follow (any on/off form marked data-toggle="KEY") without
// reloading: the answer's KEY says the new state; the button and the next action follow it.
enhance("form[data-toggle]", (form, result) => {
  const on = Boolean(result[form.dataset.toggle]);
  const button = form.querySelector("button");
  const action = form.querySelector('input[name="action"]');
  action.value = on ? action.dataset.on : action.dataset.off;
  button.textContent = on ? button.dataset.on : button.dataset.off;
  button.classList.toggle("on", on);
  button.setAttribute("aria-pressed", String(on));
});

// On a phone the menu is one row that scrolls sideways: bring the page's own entry into view.
{
  const nav = document.querySelector("header.top nav");
  const here = nav && nav.querySelector('[aria-current="page"]');
  if (here && nav.scrollWidth > nav.clientWidth) {
    const offset = here.getBoundingClientRect().left - nav.getBoundingClientRect().left;
    nav.scrollLeft += offset - (nav.clientWidth - here.offsetWidth) / 2;
  }
}

// "/" anywhere but in a field jumps to the search box, as on most sites with one.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const active = document.activeElement;
  if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) return;
  const box = document.querySelector('input[type="search"]');
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});
