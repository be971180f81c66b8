// KEPlive call page (docs/call-page.md; protocol: docs/calls.md). Vanilla ES2020, no build step.
// Nothing of the call (media, chat, SDP, candidates) is stored: no localStorage, no logging.

const root = document.getElementById("call");
const ROLE = root.dataset.role; // "employee" | "citizen" | "interpreter"
const WS_PATH = root.dataset.wsPath;
const ROLES = ["employee", "citizen", "interpreter"];
const FINAL_CLOSE_CODES = new Set([4401, 4403, 4404, 4409, 4429, 4009]);
const PING_EVERY_MS = 15000;
const SILENCE_LIMIT_MS = 40000; // no message at all for this long: the socket is dead, reconnect
const OFFER_TIMEOUT_MS = 6000;
const POLITE_WAIT_MS = 3000;
const HIGH_RES = { width: { ideal: 1920 }, height: { ideal: 1080 } };

// ---- Strings: <template id="call-strings"><span data-key="…">translated</span>… ------------------
const STRINGS = {};
for (const el of document.getElementById("call-strings").content.querySelectorAll("[data-key]")) {
  STRINGS[el.dataset.key] = el.textContent.trim();
}
function t(key, params = {}) {
  let text = STRINGS[key] ?? key;
  for (const [name, value] of Object.entries(params)) text = text.split(`{${name}}`).join(String(value));
  return text;
}
const $ = (sel) => root.querySelector(sel);
const $$ = (sel) => Array.from(root.querySelectorAll(sel));

// ---- State ----------------------------------------------------------------------------------
const state = {
  role: ROLE,
  connection: "connecting", // connecting | connected | reconnecting | closed
  snapshot: null,
  admitted: ROLE === "employee",
  ended: false,
  turnedAway: false,
  lastSeq: null,
  iceServers: [],
  facingMode: "user",
  cameraOn: true,
  micOn: true,
  audioOnlyDevice: false, // the user chose, or had to, continue without a camera
};
const peers = new Map(); // role → RTCPeerConnection (public test hook)
const peerInfo = new Map(); // role → {pc, polite, makingOffer, ignoreOffer, stream, fingerprint}
window.keplive = { peers, state };

let ws = null;
let wsAttempt = 0;
let reconnectTimer = null;
let pingTimer = null;
let lastMessageAt = 0;
let knockedOnThisSocket = false;
let lastSyncAt = 0;
let syncTimer = null;
let localStream = new MediaStream();
let audioCtx = null;
let meterSource = null;
let meterFrame = 0;

// ---- Small UI helpers -------------------------------------------------------------------------
function show(el, visible) { if (el) el.hidden = !visible; }
function setText(sel, text) { const el = typeof sel === "string" ? $(sel) : sel; if (el) el.textContent = text; }
function announce(text, assertive = false) {
  // Clearing first makes screen readers announce a repeated message again.
  const region = $(assertive ? "#call-announce-assertive" : "#call-announce-polite");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 50);
}
function showError(text) {
  const box = $("#call-error");
  setText("#call-error-text", text);
  show(box, Boolean(text));
}
// A control-bar button keeps its icon: only its [data-label] changes (plain buttons: the text).
function setLabel(btn, text) {
  if (!btn) return;
  const label = btn.querySelector("[data-label]");
  if (label) { if (label.textContent !== text) label.textContent = text; } else if (btn.textContent !== text) btn.textContent = text;
}
function setPressed(btn, pressed, labelOn, labelOff) {
  if (!btn) return;
  btn.setAttribute("aria-pressed", pressed ? "true" : "false");
  if (labelOn !== undefined) setLabel(btn, pressed ? labelOn : labelOff);
}
function roleLabel(role) { return t(`role_${role}`); }

// ---- Audio (meter, speaker test, knock sound) -------------------------------------------------
function getAudioContext() {
  if (!audioCtx) {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    audioCtx = new Ctx();
  }
  if (audioCtx.state === "suspended") audioCtx.resume().catch(() => {});
  return audioCtx;
}
// Browsers start audio only after a user gesture: resume on the first one.
for (const type of ["pointerdown", "keydown"]) {
  document.addEventListener(type, () => { if (audioCtx) audioCtx.resume().catch(() => {}); }, { capture: true });
}
function playTone({ frequency = 440, seconds = 1, volume = 0.2 } = {}) {
  const ctx = getAudioContext();
  if (!ctx) return;
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = "sine";
  osc.frequency.value = frequency;
  const now = ctx.currentTime;
  gain.gain.setValueAtTime(0, now);
  gain.gain.linearRampToValueAtTime(volume, now + 0.02);
  gain.gain.setValueAtTime(volume, now + seconds - 0.05);
  gain.gain.linearRampToValueAtTime(0, now + seconds);
  osc.connect(gain).connect(ctx.destination);
  osc.start(now);
  osc.stop(now + seconds);
}
function playKnockSound() {
  playTone({ frequency: 880, seconds: 0.18, volume: 0.25 });
  window.setTimeout(() => playTone({ frequency: 660, seconds: 0.25, volume: 0.25 }), 220);
}
function startMicMeter() {
  const meter = $("#call-mic-meter");
  const track = localStream.getAudioTracks()[0];
  if (!meter) return;
  cancelAnimationFrame(meterFrame);
  if (meterSource) { meterSource.disconnect(); meterSource = null; }
  if (!track) { meter.value = 0; return; }
  const ctx = getAudioContext();
  if (!ctx) return;
  meterSource = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  meterSource.connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  const tick = () => {
    analyser.getByteTimeDomainData(data);
    let sum = 0;
    for (const v of data) { const x = (v - 128) / 128; sum += x * x; }
    const rms = Math.sqrt(sum / data.length);
    meter.value = Math.min(1, rms * 4);
    if (!state.ended) meterFrame = requestAnimationFrame(tick);
  };
  tick();
}

// ---- Local media ------------------------------------------------------------------------------
function videoConstraints(highRes) {
  const c = { facingMode: state.facingMode === "user" ? "user" : { exact: state.facingMode } };
  return highRes ? { ...c, ...HIGH_RES } : { ...c, width: { ideal: 1280 }, height: { ideal: 720 } };
}
function mayCaptureVideo() {
  const s = state.snapshot;
  if (state.audioOnlyDevice || state.ended) return false;
  if (s && s.audio_only) return false;
  if (ROLE === "citizen" && s && s.citizen_camera_blocked) return false;
  return true;
}
function localVideoTrack() { return localStream.getVideoTracks()[0] || null; }
function localAudioTrack() { return localStream.getAudioTracks()[0] || null; }

function describeMediaError(err, what) {
  const name = err && err.name;
  if (name === "NotAllowedError" || name === "SecurityError") return t(`denied_${what}`);
  if (name === "NotFoundError" || name === "OverconstrainedError") return t(`missing_${what}`);
  if (name === "NotReadableError" || name === "AbortError") return t("device_busy");
  return t("device_error");
}

async function startDevices({ audioOnly = false } = {}) {
  showDeviceProblem(null);
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    showDeviceProblem(t("no_media_support"), false);
    return;
  }
  stopLocalTracks();
  state.audioOnlyDevice = audioOnly;
  let stream = null;
  try {
    stream = await navigator.mediaDevices.getUserMedia(
      audioOnly ? { audio: true, video: false } : { audio: true, video: videoConstraints(false) },
    );
  } catch (err) {
    if (audioOnly) {
      showDeviceProblem(describeMediaError(err, "microphone"), false);
    } else {
      showDeviceProblem(describeMediaError(err, "camera"), true);
    }
    updateDeviceStatus();
    return;
  }
  localStream = stream;
  if (!mayCaptureVideo()) for (const tr of localStream.getVideoTracks()) { tr.stop(); localStream.removeTrack(tr); }
  applyTrackToggles();
  attachLocalPreview();
  startMicMeter();
  updateDeviceStatus();
  await refreshAllSenders();
  reportResolution();
}

function stopLocalTracks() {
  for (const tr of localStream.getTracks()) tr.stop();
  localStream = new MediaStream();
}

// Re-acquire or release the camera when the policy changes (audio only, citizen camera off).
async function ensureVideoCapture() {
  const want = mayCaptureVideo();
  const have = localVideoTrack();
  if (!want && have) {
    have.stop();
    localStream.removeTrack(have);
    attachLocalPreview();
  } else if (want && !have && localAudioTrack() !== null && !state.audioOnlyDevice) {
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: videoConstraints(state.facingMode !== "user") });
      if (!mayCaptureVideo()) { s.getTracks().forEach((tr) => tr.stop()); return; }
      localStream.addTrack(s.getVideoTracks()[0]);
      applyTrackToggles();
      attachLocalPreview();
      reportResolution();
    } catch (err) {
      showError(describeMediaError(err, "camera"));
    }
  }
  await refreshAllSenders();
}

async function switchCamera() {
  if (!mayCaptureVideo()) return;
  const next = state.facingMode === "user" ? "environment" : "user";
  const previous = state.facingMode;
  state.facingMode = next;
  const btn = $("#call-switch-camera");
  if (btn) btn.disabled = true;
  try {
    const old = localVideoTrack();
    // Some phones cannot open two cameras at once: release the old one first.
    if (old) { old.stop(); localStream.removeTrack(old); }
    const s = await navigator.mediaDevices.getUserMedia({ video: videoConstraints(true) });
    localStream.addTrack(s.getVideoTracks()[0]);
    applyTrackToggles();
    attachLocalPreview();
    await refreshAllSenders();
    reportResolution();
    announce(next === "user" ? t("camera_front") : t("camera_rear"));
  } catch (err) {
    state.facingMode = previous;
    showError(t("camera_switch_failed"));
    await ensureVideoCapture();
  } finally {
    if (btn) btn.disabled = !mayCaptureVideo();
    updateControls();
  }
}

function applyTrackToggles() {
  for (const tr of localStream.getVideoTracks()) tr.enabled = state.cameraOn;
  for (const tr of localStream.getAudioTracks()) tr.enabled = state.micOn;
}

function attachLocalPreview() {
  for (const video of $$("video[data-local]")) {
    video.srcObject = localVideoTrack() ? new MediaStream([localVideoTrack()]) : null;
    // Played explicitly: Chromium does not start a muted "autoplay" video that is off screen
    // (the waiting citizen's preview below the fold stayed black; issue 15, item 2).
    if (video.srcObject) video.play().catch(() => {});
  }
  const track = localVideoTrack();
  const settings = track && track.getSettings ? track.getSettings() : {};
  setText("#call-local-resolution", track && settings.width ? t("resolution_value", { width: settings.width, height: settings.height }) : "");
  for (const el of $$("[data-local-off]")) show(el, !track || !state.cameraOn);
  updateControls();
}

function reportResolution() {
  if (ROLE !== "citizen" || !state.admitted) return;
  const track = localVideoTrack();
  if (!track) return;
  const settings = track.getSettings();
  if (settings.width && settings.height) send({ type: "resolution", width: settings.width, height: settings.height });
}

// ---- Device check UI ---------------------------------------------------------------------------
function showDeviceProblem(text, offerAudioOnly) {
  const box = $("#call-device-problem");
  if (!box) return;
  setText("#call-device-problem-text", text || "");
  show(box, Boolean(text));
  show($("#call-audio-only-device"), Boolean(offerAudioOnly));
}
function updateDeviceStatus() {
  setText("#call-check-camera", localVideoTrack() ? t("camera_ok") : (state.audioOnlyDevice ? t("camera_not_used") : t("camera_missing")));
  setText("#call-check-microphone", localAudioTrack() ? t("microphone_ok") : t("microphone_missing"));
}
function setupDeviceCheck() {
  $("#call-retry-devices")?.addEventListener("click", () => startDevices());
  $("#call-audio-only-device")?.addEventListener("click", () => startDevices({ audioOnly: true }));
  $("#call-speaker-test")?.addEventListener("click", () => {
    playTone({ frequency: 523.25, seconds: 1.2 });
    show($("#call-speaker-question"), true);
    setText("#call-speaker-result", "");
  });
  $("#call-speaker-yes")?.addEventListener("click", () => setText("#call-speaker-result", t("speaker_ok")));
  $("#call-speaker-no")?.addEventListener("click", () => setText("#call-speaker-result", t("speaker_help")));
}

// ---- WebSocket -----------------------------------------------------------------------------------
function wsUrl() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}${WS_PATH}`;
}
function send(message) {
  if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(message)); return true; }
  return false;
}
// At most one sync a second, and never one lost: a sync asked for within the second is
// coalesced into one trailing sync at the end of it (issue 15, item 3).
function sync() {
  const wait = lastSyncAt + 1000 - Date.now();
  if (wait > 0) {
    if (!syncTimer) syncTimer = setTimeout(() => { syncTimer = null; sync(); }, wait);
    return;
  }
  clearTimeout(syncTimer);
  syncTimer = null;
  lastSyncAt = Date.now();
  send({ type: "sync" }); // not connected: the next connection starts with a sync anyway
}
function setConnection(value) {
  state.connection = value;
  setText("#call-check-connection", t(`connection_${value}`));
  const banner = $("#call-reconnecting");
  show(banner, value === "reconnecting" && !state.ended);
  updateControls();
}

function connect() {
  clearTimeout(reconnectTimer);
  knockedOnThisSocket = false;
  state.lastSeq = null; // each connection numbers its messages from 1
  let socket;
  try { socket = new WebSocket(wsUrl()); } catch (err) { scheduleReconnect(); return; }
  ws = socket;
  socket.addEventListener("open", () => {
    if (ws !== socket) return;
    wsAttempt = 0;
    lastMessageAt = Date.now();
    setConnection("connected");
    clearInterval(pingTimer);
    pingTimer = setInterval(() => {
      if (Date.now() - lastMessageAt > SILENCE_LIMIT_MS) { socket.close(); return; }
      send({ type: "ping" });
    }, PING_EVERY_MS);
    lastSyncAt = 0;
    clearTimeout(syncTimer);
    syncTimer = null;
    sync(); // the server sends a snapshot on connect too; a second one is harmless
  });
  socket.addEventListener("message", (event) => {
    if (ws !== socket) return;
    lastMessageAt = Date.now();
    let msg;
    try { msg = JSON.parse(event.data); } catch { return; }
    handleMessage(msg);
  });
  socket.addEventListener("close", (event) => {
    if (ws !== socket) return;
    clearInterval(pingTimer);
    ws = null;
    if (state.ended) return;
    if (FINAL_CLOSE_CODES.has(event.code) || state.turnedAway) { finalClose(event.code); return; }
    setConnection("reconnecting");
    scheduleReconnect();
  });
}
function scheduleReconnect() {
  const delay = Math.min(10000, 1000 * 2 ** wsAttempt);
  wsAttempt += 1;
  clearTimeout(reconnectTimer);
  reconnectTimer = setTimeout(connect, delay);
}
// Reconnect at once when the browser says the network is back.
window.addEventListener("online", () => {
  if (!ws && !state.ended && state.connection === "reconnecting") { wsAttempt = 0; connect(); }
});

function finalClose(code) {
  setConnection("closed");
  const turnedAway = state.turnedAway || (code === 4403 && ROLE !== "employee" && !state.admitted && knockedOnThisSocket);
  if (turnedAway) { endLocally(t("turned_away"), false); return; }
  if (code === 4409) { endLocally(t("ended"), true); return; }
  endLocally(STRINGS[`close_${code}`] ? t(`close_${code}`) : t("close_other"), false);
}

// ---- Incoming messages -------------------------------------------------------------------------
function handleMessage(msg) {
  if (typeof msg.seq === "number") {
    // A gap means a message was missed: ask for the whole state again (a snapshot replaces it all).
    if (state.lastSeq !== null && msg.seq > state.lastSeq + 1) sync();
    if (state.lastSeq === null || msg.seq > state.lastSeq) state.lastSeq = msg.seq;
  }
  switch (msg.type) {
    case "snapshot": applySnapshot(msg); break;
    case "knock": onKnock(msg.role); break;
    case "signal": queueSignal(msg); break;
    case "chat": onChat(msg); break;
    case "resolution": onResolution(msg); break;
    case "turned_away": state.turnedAway = true; endLocally(t("turned_away"), false); break;
    case "ended": endLocally(t("ended"), true); break;
    case "error":
      clearPendingToggles();
      if (msg.code === "invalid_delivery") showDeliveryError(msg.field || "method", msg.message || t("error_generic"));
      else showError(msg.message || t("error_generic"));
      break;
    case "pong": break;
    default: break;
  }
}

function participant(role) {
  return (state.snapshot?.participants || []).find((p) => p.role === role) || null;
}
function isAdmitted(role) {
  const p = participant(role);
  if (role === "employee") return Boolean(p && p.present !== false);
  if (p && typeof p.admitted === "boolean") return p.admitted;
  if (role === "interpreter") return Boolean(state.snapshot?.interpreter_admitted);
  return ["identity_check", "in_call"].includes(state.snapshot?.state);
}
function isPresent(role) { const p = participant(role); return Boolean(p && p.present); }

function applySnapshot(snap) {
  const previous = state.snapshot;
  // Snapshots carry the call's version: an older one never replaces a newer one.
  if (previous && typeof snap.version === "number" && typeof previous.version === "number" && snap.version < previous.version) return;
  state.snapshot = snap;
  settlePendingToggles(snap);
  if (snap.state === "ended") { endLocally(t("ended"), true); return; }
  if (Array.isArray(snap.ice_servers)) {
    const changed = JSON.stringify(snap.ice_servers) !== JSON.stringify(state.iceServers);
    state.iceServers = snap.ice_servers;
    if (changed) for (const info of peerInfo.values()) { try { info.pc.setConfiguration({ iceServers: state.iceServers }); } catch { /* keep the old ones */ } }
  }
  const wasAdmitted = state.admitted;
  state.admitted = ROLE === "employee" ? true : isAdmitted(ROLE);
  if (!state.admitted && ROLE !== "employee" && !knockedOnThisSocket) {
    knockedOnThisSocket = true;
    send({ type: "knock" });
  }
  if (state.admitted && !wasAdmitted && ROLE !== "employee") {
    announce(t("admitted"), true);
    reportResolution();
  }
  renderStatus();
  if (ROLE === "employee") renderEmployee(previous);
  const policyChanged = !previous || previous.audio_only !== snap.audio_only || previous.citizen_camera_blocked !== snap.citizen_camera_blocked;
  if (policyChanged && previous) {
    if (snap.audio_only !== previous.audio_only) announce(snap.audio_only ? t("audio_only_on") : t("audio_only_off"));
    if (ROLE === "citizen" && snap.citizen_camera_blocked !== previous.citizen_camera_blocked) {
      announce(snap.citizen_camera_blocked ? t("camera_blocked") : t("camera_unblocked"), true);
    }
  }
  if (policyChanged) ensureVideoCapture();
  reconcilePeers();
  updateControls();
}

// ---- Peer connections (perfect negotiation, a mesh of at most three) ----------------------------
function isPolite(remote) {
  // The employee is impolite toward both others; the citizen is impolite toward the interpreter.
  if (ROLE === "employee") return false;
  if (ROLE === "citizen") return remote === "employee";
  return true; // interpreter
}
function shouldConnect(remote) {
  if (!state.admitted || state.ended || remote === ROLE) return false;
  return isPresent(remote) && isAdmitted(remote);
}
function reconcilePeers() {
  for (const remote of ROLES) {
    if (remote === ROLE) continue;
    const info = peerInfo.get(remote);
    const want = shouldConnect(remote);
    const p = participant(remote);
    const admittedNow = remote === "employee" ? true : isAdmitted(remote);
    if (info && (!admittedNow || state.ended)) { closePeer(remote); continue; }
    if (want && !info) createPeer(remote);
    if (want && info) {
      const cs = info.pc.connectionState;
      if (cs === "failed" || cs === "disconnected") restartIce(remote);
      applyMediaPolicy(remote);
    }
    renderTile(remote, p);
  }
}

function createPeer(remote) {
  closePeer(remote);
  const pc = new RTCPeerConnection({ iceServers: state.iceServers });
  const info = { pc, polite: isPolite(remote), makingOffer: false, ignoreOffer: false, isSettingRemoteAnswerPending: false, stream: new MediaStream(), fingerprint: null, restartTimer: null, offerTimer: null, kickTimer: null };
  peerInfo.set(remote, info);
  peers.set(remote, pc);
  // The impolite side makes the first offer; the polite side waits for it and attaches its
  // tracks to the offered transceivers (attachToTransceivers), so the two rarely offer at once.
  // If no offer comes (the other page holds a stale connection), the polite side offers itself.
  // Tracks go in with addTrack: after a polite rollback its transceivers are reused by the
  // other side's offer, never duplicated.
  const addLocalMedia = () => {
    const audio = localAudioTrack();
    const video = videoDirection(remote).startsWith("send") ? localVideoTrack() : null;
    if (audio) pc.addTrack(audio, localStream);
    else pc.addTransceiver("audio", { direction: "sendrecv", streams: [localStream] });
    if (video) pc.addTrack(video, localStream);
    else pc.addTransceiver("video", { direction: videoDirection(remote), streams: [localStream] });
  };
  if (!info.polite) addLocalMedia();
  else {
    info.kickTimer = setTimeout(() => {
      if (peerInfo.get(remote) === info && !pc.remoteDescription && pc.getTransceivers().length === 0) addLocalMedia();
    }, POLITE_WAIT_MS);
  }
  pc.addEventListener("track", (event) => {
    if (peerInfo.get(remote) !== info) return;
    const track = event.track;
    for (const old of info.stream.getTracks().filter((x) => x.kind === track.kind && x !== track)) info.stream.removeTrack(old);
    if (!info.stream.getTracks().includes(track)) info.stream.addTrack(track);
    track.addEventListener("mute", () => renderTile(remote, participant(remote)));
    track.addEventListener("unmute", () => renderTile(remote, participant(remote)));
    track.addEventListener("ended", () => renderTile(remote, participant(remote)));
    attachRemote(remote);
  });
  pc.addEventListener("negotiationneeded", async () => {
    if (peerInfo.get(remote) !== info) return;
    try {
      info.makingOffer = true;
      await pc.setLocalDescription();
      send({ type: "signal", to: remote, description: plainDescription(pc.localDescription) });
    } catch (err) {
      console.warn("keplive: offer to", remote, "failed:", err && err.name); // the watchdog retries
    } finally {
      info.makingOffer = false;
    }
  });
  pc.addEventListener("icecandidate", ({ candidate }) => {
    if (peerInfo.get(remote) !== info || !candidate) return;
    send({ type: "signal", to: remote, candidate: candidate.toJSON() });
  });
  const onState = () => {
    if (peerInfo.get(remote) !== info) return;
    const failed = pc.iceConnectionState === "failed" || pc.connectionState === "failed";
    if (failed) restartIce(remote);
    renderTile(remote, participant(remote));
  };
  // An offer left unanswered (lost while a socket was down, or both sides waiting on each
  // other) is rolled back after a while and negotiation starts again.
  pc.addEventListener("signalingstatechange", () => {
    clearTimeout(info.offerTimer);
    if (pc.signalingState !== "have-local-offer") return;
    const sdp = pc.localDescription && pc.localDescription.sdp;
    info.offerTimer = setTimeout(async () => {
      if (peerInfo.get(remote) !== info || pc.signalingState !== "have-local-offer" || pc.localDescription.sdp !== sdp) return;
      try {
        await pc.setLocalDescription({ type: "rollback" });
        if (pc.remoteDescription) pc.restartIce();
        else if (!info.polite) createPeer(remote); // never negotiated: a fresh connection offers anew
      } catch { /* closed meanwhile */ }
    }, OFFER_TIMEOUT_MS);
  });
  pc.addEventListener("iceconnectionstatechange", onState);
  pc.addEventListener("connectionstatechange", onState);
  applyMediaPolicy(remote);
  renderTile(remote, participant(remote));
  return info;
}

function plainDescription(d) { return { type: d.type, sdp: d.sdp }; }
function fingerprintOf(sdp) { const m = /a=fingerprint:\S+ (\S+)/.exec(sdp || ""); return m ? m[1] : null; }

function restartIce(remote) {
  const info = peerInfo.get(remote);
  if (!info || info.restartTimer) return;
  // At most one restart every 5 s per peer; only while the signalling socket is up.
  info.restartTimer = setTimeout(() => { info.restartTimer = null; }, 5000);
  if (state.connection !== "connected" || !isPresent(remote)) return;
  try { info.pc.restartIce(); } catch { /* closed */ }
}

function closePeer(remote) {
  const info = peerInfo.get(remote);
  if (!info) return;
  clearTimeout(info.restartTimer);
  clearTimeout(info.offerTimer);
  clearTimeout(info.kickTimer);
  try { info.pc.close(); } catch { /* already closed */ }
  peerInfo.delete(remote);
  peers.delete(remote);
  const video = $(`video[data-remote="${remote}"]`);
  if (video) video.srcObject = null;
  renderTile(remote, participant(remote));
}

// Signals from one peer are handled one at a time, in order: an answer is never interleaved
// with the next offer or its candidates.
const signalQueues = new Map(); // role → Promise
function queueSignal(msg) {
  if (!ROLES.includes(msg.from)) return;
  const previous = signalQueues.get(msg.from) || Promise.resolve();
  signalQueues.set(msg.from, previous.then(() => onSignal(msg)).catch((err) => {
    console.warn("keplive: signalling with", msg.from, "failed:", err && err.name);
  }));
}

async function onSignal(msg) {
  // The server relays signals only between admitted participants, so a signal may arrive just
  // before the snapshot that says this page is admitted: it is handled, not dropped.
  const remote = msg.from;
  if (remote === ROLE || state.ended) return;
  let info = peerInfo.get(remote);
  const description = msg.description;
  // A description with another DTLS fingerprint comes from a new RTCPeerConnection (the other
  // page reloaded, or replaced ours): start afresh rather than renegotiate the old one.
  if (description && info && info.fingerprint) {
    const fp = fingerprintOf(description.sdp);
    if (fp && fp !== info.fingerprint) {
      info = createPeer(remote);
      if (description.type !== "offer") return; // the fresh connection makes its own offer
    }
  }
  if (!info) {
    if (!description || description.type !== "offer") return; // nothing to attach it to
    info = createPeer(remote);
  }
  const pc = info.pc;
  if (description) {
    const readyForOffer = !info.makingOffer && (pc.signalingState === "stable" || info.isSettingRemoteAnswerPending);
    const offerCollision = description.type === "offer" && !readyForOffer;
    info.ignoreOffer = !info.polite && offerCollision;
    if (info.ignoreOffer) return;
    info.isSettingRemoteAnswerPending = description.type === "answer";
    try {
      await pc.setRemoteDescription(description); // a polite collision rolls back implicitly
    } catch (err) {
      info.isSettingRemoteAnswerPending = false;
      if (description.type !== "offer") return;
      info = createPeer(remote); // the old connection cannot take this offer: replace it
      await info.pc.setRemoteDescription(description);
    }
    info.isSettingRemoteAnswerPending = false;
    info.fingerprint = fingerprintOf(description.sdp) || info.fingerprint;
    if (description.type === "offer") {
      await attachToTransceivers(remote);
      await info.pc.setLocalDescription();
      send({ type: "signal", to: remote, description: plainDescription(info.pc.localDescription) });
    }
  } else if (msg.candidate) {
    try {
      await pc.addIceCandidate(msg.candidate);
    } catch (err) {
      /* a candidate of an ignored offer or of an older session: harmless */
    }
  }
}

// Which way video should flow between this page and `remote`.
function videoDirection(remote) {
  const s = state.snapshot || {};
  let sendVideo = !s.audio_only && !(ROLE === "citizen" && s.citizen_camera_blocked);
  let recvVideo = !s.audio_only && !(ROLE === "employee" && remote === "citizen" && s.citizen_camera_blocked);
  if (sendVideo && recvVideo) return "sendrecv";
  if (sendVideo) return "sendonly";
  if (recvVideo) return "recvonly";
  return "inactive";
}
function transceiverKind(tr) { return tr.receiver && tr.receiver.track ? tr.receiver.track.kind : null; }

async function attachToTransceivers(remote) {
  const info = peerInfo.get(remote);
  if (!info) return;
  for (const tr of info.pc.getTransceivers()) {
    if (tr.stopped || tr.direction === "stopped" || tr.currentDirection === "stopped") continue;
    const kind = transceiverKind(tr);
    if (kind === "audio") {
      if (tr.direction !== "sendrecv") tr.direction = "sendrecv";
      if (tr.sender.track !== localAudioTrack()) await tr.sender.replaceTrack(localAudioTrack()).catch(() => {});
    } else if (kind === "video") {
      const dir = videoDirection(remote);
      if (tr.direction !== dir) tr.direction = dir;
      const sending = dir === "sendrecv" || dir === "sendonly";
      const want = sending ? localVideoTrack() : null;
      if (tr.sender.track !== want) await tr.sender.replaceTrack(want).catch(() => {});
    }
  }
}
function applyMediaPolicy(remote) { attachToTransceivers(remote).catch(() => {}); }
async function refreshAllSenders() { for (const remote of peerInfo.keys()) await attachToTransceivers(remote); }

// ---- Remote video tiles ----------------------------------------------------------------------------
function attachRemote(remote) {
  const info = peerInfo.get(remote);
  const video = $(`video[data-remote="${remote}"]`);
  if (!info || !video) return;
  if (video.srcObject !== info.stream) video.srcObject = info.stream;
  const played = video.play();
  if (played && played.catch) {
    played.catch(() => show($("#call-start-sound"), true)); // autoplay with sound refused
  }
  renderTile(remote, participant(remote));
}
function renderTile(remote, p) {
  const tile = $(`[data-tile="${remote}"]`);
  if (!tile) return;
  const info = peerInfo.get(remote);
  const visible = Boolean(state.admitted && !state.ended && (info || (p && p.present && isAdmitted(remote))));
  show(tile, visible);
  const statusEl = tile.querySelector("[data-tile-status]");
  if (!statusEl) return;
  let status = "";
  const s = state.snapshot || {};
  const videoTrack = info ? info.stream.getVideoTracks()[0] : null;
  if (!p || !p.present) status = t("peer_absent");
  else if (!info || !["connected", "completed"].includes(info.pc.iceConnectionState)) {
    status = info && info.pc.iceConnectionState === "failed" ? t("peer_reconnecting") : t("peer_connecting");
  } else if (s.audio_only) status = t("audio_only_status");
  else if (remote === "citizen" && s.citizen_camera_blocked) status = t("citizen_camera_off_status");
  else if (!videoTrack || videoTrack.muted) status = t("peer_no_video");
  statusEl.textContent = status;
  show(statusEl, Boolean(status));
}

// ---- Status text, controls ----------------------------------------------------------------------------
function renderStatus() {
  const s = state.snapshot || {};
  show($("#call-waiting"), ROLE !== "employee" && !state.admitted && !state.ended);
  // The device check stays until the call has someone to talk to; then the videos take the stage.
  const started = ROLE === "employee" ? isAdmitted("citizen") || isAdmitted("interpreter") : state.admitted;
  show($("#call-stage"), started && !state.ended);
  show($("#call-device-check"), !started && !state.ended);
  show($("#call-chat"), state.admitted && !state.ended);
  show($("#call-toggle-chat"), state.admitted && !state.ended);
  renderPanel();
  if (ROLE === "employee") {
    const labels = { scheduled: "state_open", open: "state_open", knocking: "state_knocking", identity_check: "state_identity_check", in_call: "state_in_call", no_show: "state_no_show" };
    setText("#call-state", t(labels[s.state] || "state_open"));
  }
  const blockedNote = $("#call-camera-blocked-note");
  show(blockedNote, ROLE === "citizen" && Boolean(s.citizen_camera_blocked));
  show($("#call-audio-only-note"), Boolean(s.audio_only));
}

function updateControls() {
  const s = state.snapshot || {};
  const camBtn = $("#call-toggle-camera");
  const canVideo = mayCaptureVideo() && Boolean(localVideoTrack());
  if (camBtn) {
    camBtn.disabled = !canVideo;
    setPressed(camBtn, canVideo && !state.cameraOn);
    setLabel(camBtn, canVideo && !state.cameraOn ? t("camera_turn_on") : t("camera_turn_off"));
  }
  const micBtn = $("#call-toggle-mic");
  if (micBtn) {
    micBtn.disabled = !localAudioTrack();
    setPressed(micBtn, !state.micOn);
    setLabel(micBtn, state.micOn ? t("mic_mute") : t("mic_unmute"));
  }
  const switchBtn = $("#call-switch-camera");
  if (switchBtn) {
    switchBtn.disabled = !canVideo;
    setLabel(switchBtn, state.facingMode === "user" ? t("camera_use_rear") : t("camera_use_front"));
  }
  for (const el of $$("[data-local-off]")) show(el, !localVideoTrack() || !state.cameraOn);
  const online = state.connection === "connected";
  const chatSend = $("#call-chat-send");
  if (chatSend) chatSend.disabled = !online || !state.admitted;
  if (ROLE === "employee") updateEmployeeControls(s, online);
}

function setupControls() {
  $("#call-toggle-camera")?.addEventListener("click", () => {
    state.cameraOn = !state.cameraOn;
    applyTrackToggles();
    updateControls();
    announce(state.cameraOn ? t("camera_is_on") : t("camera_is_off"));
  });
  $("#call-toggle-mic")?.addEventListener("click", () => {
    state.micOn = !state.micOn;
    applyTrackToggles();
    updateControls();
    announce(state.micOn ? t("mic_is_on") : t("mic_is_off"));
  });
  $("#call-switch-camera")?.addEventListener("click", switchCamera);
  $("#call-start-sound")?.addEventListener("click", () => {
    for (const video of $$("video[data-remote]")) if (video.srcObject) video.play().catch(() => {});
    getAudioContext();
    show($("#call-start-sound"), false);
  });
  $("#call-error-close")?.addEventListener("click", () => showError(""));
}

// ---- Layout: the side panel, full screen, zoom and pan, keyboard shortcuts (issue 15, item 1) ----
// The side panel (the employee's steps, the chat) folds away. The employee's starts open, the
// citizen's (chat only) closed until "Chat" is pressed; a message arriving while it is closed
// shows a count on the button and is announced.
const panel = { open: ROLE === "employee" || window.matchMedia("(min-width: 900px)").matches, unread: 0 };
function renderPanel() {
  const side = $("#call-side");
  const available = !state.ended && (ROLE === "employee" || state.admitted);
  show(side, available && panel.open);
  root.classList.toggle("kl-call--panel-open", available && panel.open);
  for (const btn of $$("#call-toggle-panel, #call-toggle-chat")) btn.setAttribute("aria-expanded", available && panel.open ? "true" : "false");
  if (panel.open) panel.unread = 0;
  const badge = $("#call-chat-unread");
  if (badge) { badge.textContent = panel.unread ? String(panel.unread) : ""; show(badge, panel.unread > 0); }
}
function setPanel(open) {
  panel.open = open;
  renderPanel();
}
function setupPanel() {
  $("#call-toggle-panel")?.addEventListener("click", () => {
    setPanel(!panel.open);
    if (panel.open) $("#call-side")?.focus?.();
  });
  $("#call-toggle-chat")?.addEventListener("click", () => {
    // The employee's chat shares the panel with the steps: "Chat" opens it and goes to the chat.
    if (ROLE === "employee" && panel.open) { $("#call-chat-input")?.focus(); return; }
    setPanel(!panel.open);
    if (panel.open) $("#call-chat-input")?.focus();
  });
}
function noteUnreadChat() {
  if (panel.open && !$("#call-side")?.hidden) return;
  panel.unread += 1;
  renderPanel();
}

// Full screen for a remote tile: the element's own API, or the video's on iOS Safari.
function fullscreenElement() { return document.fullscreenElement || document.webkitFullscreenElement || null; }
function exitFullscreen() {
  if (!fullscreenElement()) return;
  const exit = document.exitFullscreen || document.webkitExitFullscreen;
  if (exit) Promise.resolve(exit.call(document)).catch(() => {});
}
function toggleFullscreen(role) {
  const tile = $(`[data-tile="${role}"]`);
  if (!tile) return;
  if (fullscreenElement() === tile) { exitFullscreen(); return; }
  const enter = tile.requestFullscreen || tile.webkitRequestFullscreen;
  if (enter) { Promise.resolve(enter.call(tile)).catch(() => {}); return; }
  const video = tile.querySelector("video");
  if (video && video.webkitEnterFullscreen) video.webkitEnterFullscreen();
}
function renderFullscreen() {
  const current = fullscreenElement();
  for (const btn of $$("[data-fullscreen]")) {
    const on = current !== null && current === $(`[data-tile="${btn.dataset.fullscreen}"]`);
    setPressed(btn, on, t("fullscreen_exit"), t("fullscreen_enter"));
  }
}

// Zoom (1×–4×) and pan on a remote video, to read a document held to the camera. The video is
// moved with a CSS transform set through the CSSOM (allowed by the strict CSP, unlike style="").
const ZOOM_MIN = 1, ZOOM_MAX = 4, ZOOM_STEP = 0.5, PAN_STEP = 40;
const zooms = new Map(); // role → {scale, x, y}
function zoomOf(role) {
  if (!zooms.has(role)) zooms.set(role, { scale: 1, x: 0, y: 0 });
  return zooms.get(role);
}
function applyZoom(role) {
  const z = zoomOf(role);
  const viewport = $(`[data-viewport="${role}"]`);
  const video = $(`video[data-remote="${role}"]`);
  if (!viewport || !video) return;
  // Never pan the picture's edge past the viewport's.
  const maxX = ((z.scale - 1) * viewport.clientWidth) / 2;
  const maxY = ((z.scale - 1) * viewport.clientHeight) / 2;
  z.x = Math.max(-maxX, Math.min(maxX, z.x));
  z.y = Math.max(-maxY, Math.min(maxY, z.y));
  video.style.transform = z.scale === 1 ? "" : `translate(${z.x}px, ${z.y}px) scale(${z.scale})`;
  if (z.scale > 1) viewport.dataset.zoomed = "true"; else delete viewport.dataset.zoomed;
  const level = $(`[data-zoom-level="${role}"]`);
  if (level) level.textContent = z.scale > 1 ? `· ${t("zoom_level", { zoom: String(z.scale).replace(".", ",") })}` : "";
  const out = $(`[data-zoom-out="${role}"]`);
  const into = $(`[data-zoom-in="${role}"]`);
  if (out) out.disabled = z.scale <= ZOOM_MIN;
  if (into) into.disabled = z.scale >= ZOOM_MAX;
  show($(`[data-zoom-reset="${role}"]`), z.scale > 1);
}
function setZoom(role, scale) {
  const z = zoomOf(role);
  const next = Math.max(ZOOM_MIN, Math.min(ZOOM_MAX, scale));
  if (next === z.scale) return;
  if (next === 1) { z.x = 0; z.y = 0; }
  z.scale = next;
  applyZoom(role);
  announce(next === 1 ? t("zoom_reset") : t("zoom_level", { zoom: String(next).replace(".", ",") }));
}
function setupZoom() {
  for (const viewport of $$("[data-viewport]")) {
    const role = viewport.dataset.viewport;
    $(`[data-zoom-in="${role}"]`)?.addEventListener("click", () => setZoom(role, zoomOf(role).scale + ZOOM_STEP));
    $(`[data-zoom-out="${role}"]`)?.addEventListener("click", () => setZoom(role, zoomOf(role).scale - ZOOM_STEP));
    $(`[data-zoom-reset="${role}"]`)?.addEventListener("click", () => { setZoom(role, 1); viewport.focus(); });
    $(`[data-fullscreen="${role}"]`)?.addEventListener("click", () => toggleFullscreen(role));
    viewport.addEventListener("dblclick", () => setZoom(role, zoomOf(role).scale > 1 ? 1 : 2));
    viewport.addEventListener("wheel", (event) => {
      event.preventDefault();
      setZoom(role, zoomOf(role).scale + (event.deltaY < 0 ? ZOOM_STEP : -ZOOM_STEP));
    }, { passive: false });
    viewport.addEventListener("keydown", (event) => {
      const z = zoomOf(role);
      const moves = { ArrowLeft: [PAN_STEP, 0], ArrowRight: [-PAN_STEP, 0], ArrowUp: [0, PAN_STEP], ArrowDown: [0, -PAN_STEP] };
      if (event.key === "+" || event.key === "=") { setZoom(role, z.scale + ZOOM_STEP); event.preventDefault(); return; }
      if (event.key === "-") { setZoom(role, z.scale - ZOOM_STEP); event.preventDefault(); return; }
      if (event.key === "0") { setZoom(role, 1); event.preventDefault(); return; }
      const move = moves[event.key];
      if (!move || z.scale === 1) return;
      event.preventDefault();
      z.x += move[0];
      z.y += move[1];
      applyZoom(role);
    });
    let drag = null;
    viewport.addEventListener("pointerdown", (event) => {
      if (zoomOf(role).scale === 1) return;
      drag = { id: event.pointerId, x: event.clientX, y: event.clientY };
      viewport.setPointerCapture(event.pointerId);
      viewport.dataset.dragging = "true";
    });
    viewport.addEventListener("pointermove", (event) => {
      if (!drag || drag.id !== event.pointerId) return;
      const z = zoomOf(role);
      z.x += event.clientX - drag.x;
      z.y += event.clientY - drag.y;
      drag.x = event.clientX;
      drag.y = event.clientY;
      applyZoom(role);
    });
    const stop = () => { drag = null; delete viewport.dataset.dragging; };
    viewport.addEventListener("pointerup", stop);
    viewport.addEventListener("pointercancel", stop);
    applyZoom(role);
  }
  for (const type of ["fullscreenchange", "webkitfullscreenchange"]) document.addEventListener(type, () => { renderFullscreen(); for (const role of zooms.keys()) applyZoom(role); });
  window.addEventListener("resize", () => { for (const role of zooms.keys()) applyZoom(role); });
  renderFullscreen();
}

// Ctrl+D: microphone, Ctrl+E: camera (⌘ on a Mac), as in the video tools people know. The key's
// position is used (event.code), so they work with the Greek keyboard layout too. The buttons
// carry aria-keyshortcuts; pressing one announces the new state like a click.
function setupShortcuts() {
  document.addEventListener("keydown", (event) => {
    if (state.ended || event.altKey || event.shiftKey || !(event.ctrlKey || event.metaKey)) return;
    const target = { KeyD: "#call-toggle-mic", KeyE: "#call-toggle-camera" }[event.code];
    if (!target) return;
    event.preventDefault(); // the browser's own Ctrl+D (bookmark) and Ctrl+E (search)
    const btn = $(target);
    if (btn && !btn.disabled) btn.click();
  });
}

// ---- Chat (never stored) ----------------------------------------------------------------------------
const pendingChat = []; // our own messages not yet echoed by the server
function chatTime(at) {
  const d = at ? new Date(at) : new Date();
  if (Number.isNaN(d.getTime())) return "";
  // Greek time, as everywhere in KEPlive, whatever the device's own time zone.
  // 24-hour time (14:05), never "02:05 μ.μ.".
  return d.toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Europe/Athens" });
}
function addChatLine(from, text, at) {
  const list = $("#call-chat-list");
  if (!list) return null;
  const li = document.createElement("li");
  li.className = "kl-chat__item" + (from === ROLE ? " kl-chat__item--mine" : "");
  const who = document.createElement("span");
  who.className = "kl-chat__who";
  who.textContent = `${from === ROLE ? t("chat_you") : roleLabel(from)} · ${chatTime(at)}`;
  const body = document.createElement("span");
  body.className = "kl-chat__text";
  body.textContent = text;
  li.append(who, body);
  list.append(li);
  show(list, true);
  show($("#call-chat-empty"), false);
  list.scrollTop = list.scrollHeight;
  return li;
}
function onChat(msg) {
  if (typeof msg.text !== "string") return;
  if (msg.from === ROLE) {
    // The server's echo: our message went out. It loses its pending mark and takes the
    // server's time.
    const i = pendingChat.findIndex((p) => p.text === msg.text);
    if (i >= 0) {
      const { li } = pendingChat[i];
      pendingChat.splice(i, 1);
      li.classList.remove("kl-chat__item--pending");
      li.removeAttribute("aria-busy");
      const who = li.querySelector(".kl-chat__who");
      if (who) who.textContent = `${t("chat_you")} · ${chatTime(msg.at)}`;
      return;
    }
  }
  addChatLine(msg.from, msg.text, msg.at);
  if (msg.from !== ROLE) noteUnreadChat();
}
function updateChatCount() {
  const input = $("#call-chat-input");
  if (input) setText("#call-chat-count", t("chat_characters_left", { count: 1000 - input.value.length }));
}
function setupChat() {
  const form = $("#call-chat-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("#call-chat-input");
    const text = input.value.trim();
    if (!text) return;
    if (text.length > 1000) { showError(t("chat_too_long")); return; }
    if (!send({ type: "chat", text })) { showError(t("chat_offline")); return; }
    const li = addChatLine(ROLE, text, null);
    if (li) { li.classList.add("kl-chat__item--pending"); li.setAttribute("aria-busy", "true"); pendingChat.push({ text, li }); }
    input.value = "";
    updateChatCount();
    input.focus();
  });
  $("#call-chat-input")?.addEventListener("input", updateChatCount);
  updateChatCount();
}

// ---- Employee: lobby, identity, call controls ------------------------------------------------------
const announcedWaiting = new Set();
function onKnock(role) {
  if (ROLE !== "employee" || !["citizen", "interpreter"].includes(role)) return;
  announceWaiting(role);
  sync(); // the snapshot that follows shows the waiting participant
}
function announceWaiting(role) {
  if (announcedWaiting.has(role)) return;
  announcedWaiting.add(role);
  playKnockSound();
  announce(t(`waiting_${role}`), true);
}
function isWaiting(role) {
  const p = participant(role);
  if (!p) return role === "citizen" && state.snapshot?.state === "knocking";
  // Waiting means knocked (the server admits no one before): a page that has connected but not
  // yet knocked shows no Admit button that the server would refuse.
  return Boolean(p.present && !p.admitted && p.waiting);
}
function renderEmployee() {
  const s = state.snapshot || {};
  let anyWaiting = false;
  for (const role of ["citizen", "interpreter"]) {
    const waiting = isWaiting(role);
    anyWaiting = anyWaiting || waiting;
    show($(`[data-lobby="${role}"]`), waiting);
    if (waiting) announceWaiting(role); else announcedWaiting.delete(role);
  }
  show($("#call-lobby-empty"), !anyWaiting);
  const id = s.identity || {};
  const registry = id.registry || {};
  // docs/calls.md: identity = {declared: {full_name, document_kind, numbers[]} | null,
  // confirmed, registry: {verified, reference, checked_at} | null}
  const declared = id.declared || {};
  setText("#call-identity-kind", declared.document_kind || "—");
  setText("#call-identity-number", (declared.numbers || []).join(" · ") || "—");
  const verified = registry.verified ?? null;
  const checkedAt = registry.checked_at ?? null;
  const reference = registry.reference ?? "";
  let outcome = t("registry_not_checked");
  if (verified === true) outcome = t("registry_verified");
  else if (verified === false) outcome = t("registry_not_verified");
  if (checkedAt && verified !== null) outcome += ` (${chatTime(checkedAt)}${reference ? `, ${t("registry_reference")} ${reference}` : ""})`;
  const outcomeEl = $("#call-registry-outcome");
  if (outcomeEl && outcomeEl.textContent !== outcome) {
    outcomeEl.textContent = outcome;
    outcomeEl.dataset.outcome = verified === true ? "ok" : verified === false ? "bad" : "none";
  }
  const confirmed = id.confirmed ?? null;
  setPressed($("#call-identity-yes"), confirmed === true);
  setPressed($("#call-identity-no"), confirmed === false);
  setText("#call-identity-confirmed", confirmed === true ? t("identity_confirmed") : confirmed === false ? t("identity_not_confirmed") : "");
  if (registryPending && checkedAt !== registryPending.checkedAt) finishRegistryCheck();
  renderOpening(id);
  renderDelivery(s.delivery || {});
}

// ---- Employee: the circular's two steps (issue 15, items 7 and 8) --------------------------------
// 1. At the start, the employee tells the citizen that the call is not recorded and which
//    document to show, and ticks it (`opening`, audited). 2. Before "End", the delivery method
//    and the email or postal address, confirmed with the citizen (`delivery`, audited).
function renderOpening(id) {
  const declared = id.declared || {};
  if (declared.document_kind) setText("#call-opening-document", declared.document_kind);
  const told = Boolean(id.opening_told_at);
  const box = $("#call-opening-told");
  if (box) {
    box.checked = told || box.checked && pendingOpening;
    box.disabled = told || !isAdmitted("citizen") || state.connection !== "connected";
  }
  if (told) pendingOpening = false;
  setText("#call-opening-done", told ? t("opening_told", { time: chatTime(id.opening_told_at) }) : "");
  const step = $("#call-step-identity");
  if (step) { if (told && id.confirmed === true) step.dataset.done = "true"; else delete step.dataset.done; }
}
let pendingOpening = false;
let deliveryFilledFrom = null; // the version of the delivery the form was last filled from
function deliveryText(d) {
  const method = t(`delivery_${d.method}`);
  const to = d.method === "email" ? d.email : d.method === "post" ? d.address : "";
  return to ? `${method}: ${to}` : method;
}
function renderDelivery(delivery) {
  const form = $("#call-delivery-form");
  if (!form) return;
  const confirmed = delivery.confirmed || null;
  // The form starts from what the citizen declared; once confirmed, from what was confirmed.
  // It is (re)filled only when that source changes, never over what the employee is typing.
  const source = confirmed || delivery.declared || null;
  const key = source ? JSON.stringify(source) : null;
  if (source && key !== deliveryFilledFrom) {
    deliveryFilledFrom = key;
    for (const radio of form.querySelectorAll("input[name=method]")) radio.checked = radio.value === source.method;
    $("#call-delivery-email").value = source.email || "";
    $("#call-delivery-address").value = source.address || "";
  }
  updateDeliveryFields();
  const citizenIn = isAdmitted("citizen");
  const online = state.connection === "connected";
  for (const el of form.querySelectorAll("input, textarea, button")) el.disabled = !citizenIn || !online;
  setText("#call-delivery-confirmed", confirmed ? t("delivery_confirmed", { time: chatTime(confirmed.at), delivery: deliveryText(confirmed) }) : "");
  const step = $("#call-step-delivery");
  if (step) { if (confirmed) step.dataset.done = "true"; else delete step.dataset.done; }
}
function updateDeliveryFields() {
  const method = $("#call-delivery-form input[name=method]:checked")?.value || "";
  show($("#call-delivery-email-field"), method === "email");
  show($("#call-delivery-address-field"), method === "post");
}
function showDeliveryError(field, message) {
  for (const name of ["method", "email", "address"]) {
    const el = $(`#call-delivery-${name}-error`);
    const on = name === field && Boolean(message);
    if (el) { el.textContent = on ? message : ""; show(el, on); }
    const input = name === "method" ? null : $(`#call-delivery-${name}`);
    if (input) {
      if (on) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", `call-delivery-${name}-error`); }
      else { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
    }
  }
  if (field === "method" && message) $("#call-delivery-form input[name=method]")?.focus();
  else if (message) $(`#call-delivery-${field}`)?.focus();
}
function deliveryConfirmed() { return Boolean(state.snapshot?.delivery?.confirmed); }
function setupSteps() {
  $("#call-opening-told")?.addEventListener("change", (event) => {
    if (!event.target.checked) return; // once told, it stays told
    if (!send({ type: "opening" })) { event.target.checked = false; showError(t("chat_offline")); return; }
    pendingOpening = true;
    event.target.disabled = true;
  });
  const form = $("#call-delivery-form");
  form?.addEventListener("change", updateDeliveryFields);
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    const method = form.querySelector("input[name=method]:checked")?.value || "";
    showDeliveryError("", "");
    const message = { type: "delivery", method, email: $("#call-delivery-email").value, address: $("#call-delivery-address").value };
    if (!send(message)) showError(t("chat_offline"));
  });
}
function updateEmployeeControls(s, online) {
  const citizenIn = isAdmitted("citizen");
  // Circular 002: while the interpreter takes part, the citizen's camera stays on (so no audio
  // only either); the buttons say why they cannot be pressed, and the server refuses anyway.
  const interpreterIn = Boolean(s.interpreter_admitted);
  show($("#call-interpreter-camera-reason"), interpreterIn);
  const audioHint = "call-audio-only-hint";
  const reason = "call-interpreter-camera-reason";
  $("#call-audio-only")?.setAttribute("aria-describedby", interpreterIn ? `${audioHint} ${reason}` : audioHint);
  const citizenCam = $("#call-citizen-camera");
  if (citizenCam) { if (interpreterIn) citizenCam.setAttribute("aria-describedby", reason); else citizenCam.removeAttribute("aria-describedby"); }
  for (const btn of $$("[data-admit], [data-turn-away]")) btn.disabled = !online;
  // A toggle waits for the server's answer before it can be pressed again, so no press is lost.
  const audioBtn = $("#call-audio-only");
  if (audioBtn) {
    const pending = pendingToggles.audio_only !== null;
    audioBtn.disabled = !online || pending || s.state !== "in_call" || (interpreterIn && !s.audio_only);
    if (pending) audioBtn.setAttribute("aria-busy", "true"); else audioBtn.removeAttribute("aria-busy");
    setPressed(audioBtn, Boolean(s.audio_only), t("audio_only_stop"), t("audio_only_start"));
  }
  const camBtn = $("#call-citizen-camera");
  if (camBtn) {
    const pending = pendingToggles.citizen_camera_blocked !== null;
    camBtn.disabled = !online || pending || !citizenIn || (interpreterIn && !s.citizen_camera_blocked);
    if (pending) camBtn.setAttribute("aria-busy", "true"); else camBtn.removeAttribute("aria-busy");
    setPressed(camBtn, Boolean(s.citizen_camera_blocked), t("citizen_camera_allow"), t("citizen_camera_block"));
  }
  for (const btn of [$("#call-identity-yes"), $("#call-identity-no")]) if (btn) btn.disabled = !online || !citizenIn;
  const reg = $("#call-registry-check");
  if (reg) reg.disabled = !online || !citizenIn || Boolean(registryPending);
  const end = $("#call-end");
  if (end) end.disabled = !online;
}

// The value each toggle asked the server for, until a snapshot shows it (or an error refuses it).
const pendingToggles = { audio_only: null, citizen_camera_blocked: null };
function requestToggle(key, message, value) {
  if (!send(message)) return;
  pendingToggles[key] = value;
  updateControls();
  // Should the answer never come (a dropped connection), the button frees itself.
  setTimeout(() => { if (pendingToggles[key] === value) { pendingToggles[key] = null; updateControls(); sync(); } }, 10000);
}
function settlePendingToggles(snap) {
  for (const key of Object.keys(pendingToggles)) {
    if (pendingToggles[key] !== null && Boolean(snap[key]) === pendingToggles[key]) pendingToggles[key] = null;
  }
}
function clearPendingToggles() {
  for (const key of Object.keys(pendingToggles)) pendingToggles[key] = null;
  updateControls();
}

let registryPending = null;
function finishRegistryCheck() {
  registryPending = null;
  const btn = $("#call-registry-check");
  if (btn) btn.removeAttribute("aria-busy");
  setText("#call-registry-progress", "");
  updateControls();
}
function setupEmployee() {
  for (const btn of $$("[data-admit]")) btn.addEventListener("click", () => { send({ type: "admit", role: btn.dataset.admit }); announcedWaiting.delete(btn.dataset.admit); });
  for (const btn of $$("[data-turn-away]")) btn.addEventListener("click", () => send({ type: "turn_away", role: btn.dataset.turnAway }));
  $("#call-identity-yes")?.addEventListener("click", () => send({ type: "identity", verified: true }));
  $("#call-identity-no")?.addEventListener("click", () => send({ type: "identity", verified: false }));
  $("#call-audio-only")?.addEventListener("click", () => {
    showError("");
    const on = !state.snapshot?.audio_only;
    requestToggle("audio_only", { type: "audio_only", on }, on);
  });
  $("#call-citizen-camera")?.addEventListener("click", () => {
    showError("");
    const blocked = !state.snapshot?.citizen_camera_blocked;
    requestToggle("citizen_camera_blocked", { type: "camera", blocked }, blocked);
  });
  // "End" asks first; if the citizen took part and the delivery is not confirmed yet (circular
  // 002), it says so and offers to go to that step.
  const confirmBox = $("#call-end-confirm");
  $("#call-end")?.addEventListener("click", () => {
    const missing = Boolean(state.snapshot?.admitted_at || isAdmitted("citizen")) && !deliveryConfirmed();
    show($("#call-end-delivery-warning"), missing);
    show($("#call-end-delivery"), missing);
    show(confirmBox, true);
    (missing ? $("#call-end-delivery") : $("#call-end-yes"))?.focus();
  });
  $("#call-end-no")?.addEventListener("click", () => { show(confirmBox, false); $("#call-end")?.focus(); });
  $("#call-end-yes")?.addEventListener("click", () => { send({ type: "end" }); show(confirmBox, false); });
  $("#call-end-delivery")?.addEventListener("click", () => {
    show(confirmBox, false);
    setPanel(true);
    $("#call-step-delivery")?.scrollIntoView({ block: "start" });
    ($("#call-delivery-form input[name=method]:checked") || $("#call-delivery-form input[name=method]"))?.focus();
  });
  setupSteps();
  const form = $("#call-registry-form");
  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (registryPending) return;
    const s = state.snapshot || {};
    const id = s.identity || {};
    registryPending = { checkedAt: id.registry?.checked_at ?? null };
    const btn = $("#call-registry-check");
    btn?.setAttribute("aria-busy", "true");
    setText("#call-registry-progress", t("registry_pending"));
    updateControls();
    try {
      const response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { Accept: "application/json" } });
      const data = await response.json().catch(() => ({ ok: false }));
      if (!response.ok || !data.ok) {
        finishRegistryCheck();
        showError(data.message || t("registry_failed"));
        return;
      }
      sync();
      // The outcome arrives in the next snapshot; give up waiting after 15 s.
      setTimeout(() => { if (registryPending) finishRegistryCheck(); }, 15000);
    } catch (err) {
      finishRegistryCheck();
      showError(t("registry_failed"));
    }
  });
}

function onResolution(msg) {
  if (ROLE !== "employee") return;
  const w = Number(msg.width), h = Number(msg.height);
  if (!w || !h) return;
  setText("#call-citizen-resolution", t("resolution_value", { width: w, height: h }));
  const hint = $("#call-resolution-hint");
  if (hint) { hint.textContent = Math.min(w, h) < 720 ? t("resolution_low") : ""; show(hint, Math.min(w, h) < 720); }
}

// ---- The end ------------------------------------------------------------------------------------------
function endLocally(message, ended) {
  if (state.ended) return;
  state.ended = true;
  state.admitted = false;
  clearTimeout(reconnectTimer);
  clearInterval(pingTimer);
  for (const remote of Array.from(peerInfo.keys())) closePeer(remote);
  stopLocalTracks();
  cancelAnimationFrame(meterFrame);
  for (const video of $$("video")) video.srcObject = null;
  if (ws) { const s = ws; ws = null; try { s.close(1000); } catch { /* closed */ } }
  setConnection("closed");
  // One calm panel, alone: no error box beside it, no "have ready" list, no videos or controls.
  showError("");
  root.classList.add("kl-call--over");
  for (const sel of ["#call-waiting", "#call-stage", "#call-chat", "#call-device-check", "#call-side", "#call-reconnecting", "#call-controls", "#call-end-confirm", "#call-banners"]) show($(sel), false);
  exitFullscreen();
  const box = $("#call-over");
  setText("#call-over-title", ended ? t("ended_title") : t("closed_title"));
  setText("#call-over-text", message);
  show($("#call-over-next"), ended && ROLE === "citizen");
  show(box, true);
  window.scrollTo(0, 0);
  box?.focus({ preventScroll: true });
  announce(message, true);
}

// ---- Start ---------------------------------------------------------------------------------------------
setupDeviceCheck();
setupControls();
setupPanel();
setupZoom();
setupShortcuts();
setupChat();
if (ROLE === "employee") setupEmployee();
setConnection("connecting");
renderStatus();
updateControls();
connect();
startDevices();
window.addEventListener("pagehide", () => { stopLocalTracks(); for (const info of peerInfo.values()) info.pc.close(); });
