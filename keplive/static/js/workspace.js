// KEPlive workspace: the live calendar (E2) and the in-page reminder (E3). Vanilla ES2020, no
// build step, no inline script. Loaded by templates/workspace/calendar/reminders.html.
//
// - Polls /workspace/upcoming.json (no personal data: references and start times of one's own
//   appointments of the next hour, and the version of the calendar the page shows) every ~20 s,
//   sending the last ETag so that an unchanged answer is an empty 304.
// - When the calendar's version changes, reloads only the calendar's region of the page and says
//   so in a polite live region.
// - Both requests say they are the page's own background work (X-KEPlive-Background: 1): they
//   are not activity, so an idle tab's session still ends (30 minutes for staff, ADR 0014).
// - 15 minutes before each of one's own appointments: a banner (role="alert"), a short beep
//   (Web Audio, once the user has enabled sound: browsers allow audio only after a user gesture)
//   and a browser notification where permitted — once per appointment per browser.
(() => {
  "use strict";

  const root = document.getElementById("kl-reminders");
  if (!root) return;

  const REMINDED_KEY = "keplive.reminders.done"; // {"<reference>@<starts_at>": {at, dismissed}}
  const SOUND_KEY = "keplive.reminders.sound"; // "on" once the user enabled sound
  const KEEP_MS = 24 * 3600 * 1000; // forget a reminder a day after its appointment started
  const CHECK_MS = 5000;
  const BACKGROUND = { "X-KEPlive-Background": "1" }; // not the user's activity

  const calendar = document.getElementById("kl-agenda");
  const status = document.getElementById("kl-agenda-status");
  const banners = document.getElementById("kl-reminder-banners");
  const stateLine = document.getElementById("kl-reminders-state");
  const enableButton = document.getElementById("kl-reminders-enable");
  const pollUrl = (calendar && calendar.dataset.pollUrl) || root.dataset.upcomingUrl;
  const pollMs = Math.max(5, Number(root.dataset.pollSeconds) || 20) * 1000;
  const lang = document.documentElement.lang || "el";
  const timeFormat = new Intl.DateTimeFormat(lang, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "Europe/Athens",
  });

  // What tests (and curious developers) can look at: window.keplive.workspace.
  const hooks = { polls: 0, notModified: 0, refreshes: 0, reminded: [], notified: [], beeps: 0 };
  window.keplive = window.keplive || {};
  window.keplive.workspace = hooks;

  let etag = null;
  let upcoming = [];
  let remindMinutes = 15;
  let clockOffset = 0; // server time minus this browser's time, from the Date header
  let audio = null;
  let pollTimer = null;
  let stopped = false;

  function text(name, params = {}) {
    let value = root.dataset[name] || "";
    for (const [key, replacement] of Object.entries(params)) {
      value = value.split(`{${key}}`).join(String(replacement));
    }
    return value;
  }

  // ---- Where the reminders show: at the top of <main> -----------------------------------------
  const main = document.querySelector("main");
  if (main && root.parentElement !== main) main.prepend(root);
  root.hidden = false;

  // ---- Storage: once per appointment per browser ------------------------------------------
  function readReminded() {
    try {
      const value = JSON.parse(localStorage.getItem(REMINDED_KEY) || "{}");
      return value && typeof value === "object" ? value : {};
    } catch {
      return {};
    }
  }

  function writeReminded(value) {
    try {
      localStorage.setItem(REMINDED_KEY, JSON.stringify(value));
    } catch {
      // Private mode or full storage: the reminder may then repeat on another page; no harm.
    }
  }

  function prune(value, now) {
    for (const [key, entry] of Object.entries(value)) {
      const startsAt = Date.parse(key.split("@")[1]);
      if (!entry || Number.isNaN(startsAt) || startsAt + KEEP_MS < now) delete value[key];
    }
    return value;
  }

  // ---- Sound: enabled by a click, then unlocked by any interaction on later pages ----------
  function soundWanted() {
    try {
      return localStorage.getItem(SOUND_KEY) === "on";
    } catch {
      return false;
    }
  }

  function unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume().catch(() => {});
  }

  function beep() {
    if (!audio || audio.state !== "running") return false;
    const start = audio.currentTime + 0.01;
    for (const [offset, frequency] of [
      [0, 880],
      [0.25, 660],
    ]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.setValueAtTime(frequency, start + offset);
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.2);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.22);
    }
    hooks.beeps += 1;
    return true;
  }

  function notificationsSupported() {
    return "Notification" in window;
  }

  function showSettings() {
    const sound = soundWanted();
    const permission = notificationsSupported() ? Notification.permission : "unsupported";
    if (sound && permission === "granted") {
      stateLine.textContent = text("textNotificationsOn");
      enableButton.hidden = true;
    } else if (sound && permission === "denied") {
      stateLine.textContent = text("textNotificationsBlocked");
      enableButton.hidden = true;
    } else if (sound && permission === "unsupported") {
      stateLine.textContent = text("textEnabled");
      enableButton.hidden = true;
    } else {
      enableButton.hidden = false;
    }
  }

  enableButton.addEventListener("click", async () => {
    try {
      localStorage.setItem(SOUND_KEY, "on");
    } catch {
      // Sound then lasts for this page only.
    }
    unlockAudio();
    if (notificationsSupported() && Notification.permission === "default") {
      try {
        await Notification.requestPermission();
      } catch {
        // Older browsers take a callback; the banner and the sound still work.
      }
    }
    showSettings();
    beep(); // a short confirmation that sound works
  });

  if (soundWanted()) {
    const unlock = () => {
      unlockAudio();
      document.removeEventListener("pointerdown", unlock, true);
      document.removeEventListener("keydown", unlock, true);
    };
    document.addEventListener("pointerdown", unlock, true);
    document.addEventListener("keydown", unlock, true);
  }
  showSettings();

  // ---- The reminder ---------------------------------------------------------------------------
  function message(startsAt, now) {
    const time = timeFormat.format(new Date(startsAt));
    const minutes = Math.ceil((startsAt - now) / 60000);
    if (minutes <= 0) return text("textBodyNow", { time });
    if (minutes === 1) return text("textBodyOne", { time });
    return text("textBodyOther", { time, minutes });
  }

  function banner(item, key, startsAt, now, alert) {
    if (banners.querySelector(`[data-reminder="${CSS.escape(key)}"]`)) return;
    const box = document.createElement("div");
    box.className = "kl-reminder";
    box.dataset.reminder = key;
    box.dataset.reference = item.reference;
    if (alert) box.setAttribute("role", "alert");
    const title = document.createElement("p");
    title.className = "kl-reminder__title";
    title.textContent = text("textTitle");
    const body = document.createElement("p");
    body.className = "kl-reminder__body";
    body.textContent = message(startsAt, now);
    const actions = document.createElement("p");
    actions.className = "kl-reminder__actions";
    const open = document.createElement("a");
    open.className = "govgr-link";
    open.href = item.url;
    open.textContent = text("textOpen");
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "govgr-btn govgr-btn-secondary kl-reminder__dismiss";
    dismiss.textContent = text("textDismiss");
    dismiss.addEventListener("click", () => {
      const reminded = readReminded();
      reminded[key] = { ...(reminded[key] || { at: Date.now() }), dismissed: true };
      writeReminded(reminded);
      box.remove();
    });
    actions.append(open, dismiss);
    box.append(title, body, actions);
    banners.append(box);
  }

  function notify(item, key, startsAt, now) {
    if (!notificationsSupported() || Notification.permission !== "granted") return;
    try {
      const shown = new Notification(text("textTitle"), {
        body: message(startsAt, now),
        tag: key,
        lang,
      });
      shown.addEventListener("click", () => {
        window.focus();
        window.location.assign(item.url);
      });
      hooks.notified.push(item.reference);
    } catch {
      // Android Chrome allows notifications from a service worker only; the banner is shown.
    }
  }

  function check() {
    const now = Date.now() + clockOffset;
    const reminded = prune(readReminded(), now);
    let changed = false;
    for (const item of upcoming) {
      const startsAt = Date.parse(item.starts_at);
      if (Number.isNaN(startsAt) || startsAt <= now) continue;
      if (startsAt - now > remindMinutes * 60000) continue;
      const key = `${item.reference}@${item.starts_at}`;
      const seen = reminded[key];
      if (!seen) {
        // First time in this browser: alert, sound, notification.
        reminded[key] = { at: now, dismissed: false };
        changed = true;
        hooks.reminded.push(item.reference);
        banner(item, key, startsAt, now, true);
        beep();
        notify(item, key, startsAt, now);
      } else if (!seen.dismissed) {
        // Reminded already (on another page): the banner stays, quietly, until dismissed.
        banner(item, key, startsAt, now, false);
      }
    }
    // Banners of appointments that have started, or no longer need one (moved, cancelled, or
    // their call already opened), go.
    const current = new Set(upcoming.map((item) => `${item.reference}@${item.starts_at}`));
    for (const box of banners.querySelectorAll("[data-reminder]")) {
      const startsAt = Date.parse(box.dataset.reminder.split("@")[1]);
      if (!(startsAt > now) || !current.has(box.dataset.reminder)) box.remove();
    }
    if (changed) writeReminded(reminded);
  }

  // ---- The live calendar ------------------------------------------------------------------------
  function shownVersion() {
    const body = calendar && calendar.querySelector("[data-version]");
    return body ? body.dataset.version : null;
  }

  async function refreshCalendar() {
    const response = await fetch(window.location.href, {
      headers: { "X-KEPlive-Fragment": "calendar", ...BACKGROUND },
      credentials: "same-origin",
      cache: "no-store",
    });
    if (!response.ok || response.redirected) return;
    const html = await response.text();
    const focused = document.activeElement;
    const hadFocus = focused && calendar.contains(focused);
    const focusedHref = hadFocus ? focused.getAttribute("href") : null;
    calendar.innerHTML = html;
    if (hadFocus) {
      const again = focusedHref && calendar.querySelector(`[href="${CSS.escape(focusedHref)}"]`);
      (again || calendar).focus();
    }
    hooks.refreshes += 1;
    if (status) {
      status.textContent = text("textUpdated", {
        time: timeFormat.format(new Date(Date.now() + clockOffset)),
      });
    }
  }

  async function poll() {
    if (stopped) return;
    hooks.polls += 1;
    const headers = { Accept: "application/json", ...BACKGROUND };
    if (etag) headers["If-None-Match"] = etag;
    try {
      const response = await fetch(pollUrl, {
        headers,
        credentials: "same-origin",
        cache: "no-store",
      });
      const date = Date.parse(response.headers.get("Date") || "");
      if (!Number.isNaN(date)) clockOffset = date - Date.now();
      if (response.redirected || response.status === 401 || response.status === 403) {
        // Signed out (the session ended), or no longer an employee: the next navigation says so.
        stopped = true;
        return;
      }
      if (response.status === 304) {
        hooks.notModified += 1;
      } else if (response.ok) {
        const data = await response.json();
        etag = response.headers.get("ETag");
        upcoming = Array.isArray(data.upcoming) ? data.upcoming : [];
        remindMinutes = Number(data.remind_minutes) || 15;
        if (calendar && data.version && data.version !== shownVersion()) {
          await refreshCalendar();
        }
      }
    } catch {
      // Offline for a moment: the next poll tries again.
    } finally {
      check();
      schedule();
    }
  }

  function schedule() {
    if (stopped) return;
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, pollMs);
  }

  hooks.poll = () => {
    clearTimeout(pollTimer);
    return poll();
  };
  hooks.check = check;

  setInterval(check, CHECK_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") hooks.poll();
  });
  poll();
})();
