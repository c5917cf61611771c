// SPDX-License-Identifier: BSD-3-Clause
// The browser agent of test_sipws.py: a SIP.js (npm, pinned in
// test/e2e/sipws/package.json) user agent over WebSocket to Kamailio. Unlike
// page.js, the harness passes no SDP here: SIP.js and Kamailio do the
// signalling, wrtcgw the media; the harness only asks for actions and checks.
import {Invitation, Inviter, Registerer, RegistererState, SessionState, UserAgent}
	from '/sipjs/lib/index.js';

let ua = null;
let session = null;
let incoming = null;
let audioCtx = null;
let analyser = null;
const states = [];

function log(msg) {
	document.getElementById('log').textContent += msg + '\n';
	fetch('/log', {method: 'POST', body: String(msg)}).catch(() => {});
}

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

async function until(fn, ms, what) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (fn())
			return;
		await sleep(50);
	}
	throw new Error('timed out waiting for ' + what);
}

function pc() {
	return session && session.sessionDescriptionHandler ?
		session.sessionDescriptionHandler.peerConnection : null;
}

async function listen() {
	const stream = new MediaStream();
	for (const r of pc().getReceivers())
		if (r.track && r.track.kind === 'audio')
			stream.addTrack(r.track);
	const el = document.getElementById('remote');
	el.srcObject = stream;
	try {
		await el.play();
	} catch (e) {
		log('audio element play(): ' + e);
	}
	audioCtx = new AudioContext();
	if (audioCtx.state !== 'running')
		await audioCtx.resume();
	analyser = audioCtx.createAnalyser();
	analyser.fftSize = 32768;
	audioCtx.createMediaStreamSource(stream).connect(analyser);
}

function watch(s) {
	session = s;
	s.stateChange.addListener((st) => {
		states.push(st);
		log('session: ' + st);
		if (st === SessionState.Established)
			listen().catch((e) => log('listen: ' + e));
	});
}

const sdhOptions = {
	constraints: {audio: {echoCancellation: false, noiseSuppression: false,
		autoGainControl: false}, video: false},
	iceGatheringTimeout: 5000,
};

const commands = {
	// {server: 'ws://...', aor: 'sip:user@domain'}
	async register(cmd) {
		ua = new UserAgent({
			uri: UserAgent.makeURI(cmd.aor),
			transportOptions: {server: cmd.server},
			sessionDescriptionHandlerFactoryOptions: {
				peerConnectionConfiguration: {iceServers: [], bundlePolicy: 'max-bundle',
					rtcpMuxPolicy: 'require'},
				iceGatheringTimeout: 5000,
			},
			delegate: {
				onInvite(inv) {
					log('incoming call from ' + inv.remoteIdentity.uri);
					incoming = inv;
				},
			},
			logLevel: 'warn',
		});
		await ua.start();
		const reg = new Registerer(ua, {expires: 300});
		let state = null;
		reg.stateChange.addListener((s) => { state = s; log('registerer: ' + s); });
		await reg.register();
		await until(() => state === RegistererState.Registered, 10000, 'registration');
		return state;
	},

	// {target: 'sip:...'}: an outgoing call, until it is established.
	async call(cmd) {
		const inv = new Inviter(ua, UserAgent.makeURI(cmd.target),
			{sessionDescriptionHandlerOptions: sdhOptions});
		watch(inv);
		await inv.invite();
		await until(() => inv.state === SessionState.Established ||
			inv.state === SessionState.Terminated, cmd.timeout_ms || 20000, 'answer');
		return inv.state;
	},

	// Answer the incoming call (waits for it).
	async answer(cmd) {
		await until(() => incoming !== null, cmd.timeout_ms || 20000, 'an incoming call');
		watch(incoming);
		await incoming.accept({sessionDescriptionHandlerOptions: sdhOptions});
		await until(() => incoming.state === SessionState.Established,
			cmd.timeout_ms || 20000, 'established');
		return incoming.state;
	},

	async wait_connected(cmd) {
		await until(() => pc() && pc().connectionState === 'connected',
			cmd.timeout_ms || 15000, 'DTLS/ICE connected');
		return pc().connectionState;
	},

	async stats() {
		const out = {states: states, connectionState: pc() ? pc().connectionState : null};
		if (!pc())
			return out;
		const report = await pc().getStats();
		const byId = {};
		report.forEach((s) => { byId[s.id] = s; });
		report.forEach((s) => {
			if (s.type === 'inbound-rtp' && s.kind === 'audio') {
				out.inbound = {packetsReceived: s.packetsReceived,
					codec: (byId[s.codecId] || {}).mimeType};
			} else if (s.type === 'outbound-rtp' && s.kind === 'audio') {
				out.outbound = {packetsSent: s.packetsSent,
					codec: (byId[s.codecId] || {}).mimeType};
			} else if (s.type === 'transport') {
				out.transport = {dtlsState: s.dtlsState, iceState: s.iceState,
					srtpCipher: s.srtpCipher, dtlsRole: s.dtlsRole};
			}
		});
		return out;
	},

	// Dominant frequency (Goertzel, 100..3800 Hz in 10 Hz steps) and RMS of
	// the last 32768 samples heard, as page.js measures.
	async measure() {
		if (!analyser)
			return {freq: 0, rms: 0, error: 'no remote track'};
		const buf = new Float32Array(analyser.fftSize);
		analyser.getFloatTimeDomainData(buf);
		const rate = audioCtx.sampleRate;
		let sum = 0;
		for (const x of buf)
			sum += x * x;
		let best = 0;
		let bestPower = -1;
		for (let f = 100; f < 3800; f += 10) {
			const k = 2 * Math.cos(2 * Math.PI * f / rate);
			let s1 = 0;
			let s2 = 0;
			for (const x of buf) {
				const s0 = x + k * s1 - s2;
				s2 = s1;
				s1 = s0;
			}
			const p = s1 * s1 + s2 * s2 - k * s1 * s2;
			if (p > bestPower) {
				bestPower = p;
				best = f;
			}
		}
		return {freq: best, rms: Math.sqrt(sum / buf.length) * 32768};
	},

	async hangup() {
		if (session.state === SessionState.Established)
			await session.bye();
		await until(() => session.state === SessionState.Terminated, 10000, 'terminated');
		return session.state;
	},

	async state() {
		return session ? session.state : null;
	},
};

async function agent() {
	log('agent up: ' + navigator.userAgent);
	for (;;) {
		let cmd;
		try {
			const r = await fetch('/cmd');
			if (r.status !== 200)
				continue;
			cmd = await r.json();
		} catch (e) {
			await sleep(200);
			continue;
		}
		let res;
		try {
			res = {id: cmd.id, ok: true, value: await commands[cmd.op](cmd)};
		} catch (e) {
			res = {id: cmd.id, ok: false, error: cmd.op + ': ' + e};
		}
		await fetch('/result', {method: 'POST', body: JSON.stringify(res)});
	}
}

agent();
