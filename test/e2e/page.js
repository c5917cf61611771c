// SPDX-License-Identifier: BSD-3-Clause
// The browser agent of the e2e tests. It long-polls the harness for a command
// (GET /cmd), runs it on its one RTCPeerConnection and posts the outcome
// (POST /result). The harness (e2e.py) is the signalling controller: it
// passes SDP between this page, the gateway's JSON-RPC and the SIP-side peer.
'use strict';

let pc = null;
let mic = null;
let audioCtx = null;
let analyser = null;
const history = {connection: [], ice: [], signaling: []};

function log(msg) {
	document.getElementById('log').textContent += msg + '\n';
	fetch('/log', {method: 'POST', body: String(msg)}).catch(() => {});
}

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

// Resolves when ICE gathering is complete (or after `ms`): the gateway gets
// every candidate in the SDP, as a SIP controller without trickle would.
function gathered(ms) {
	if (pc.iceGatheringState === 'complete')
		return Promise.resolve();
	return new Promise((resolve) => {
		const t = setTimeout(resolve, ms);
		pc.addEventListener('icegatheringstatechange', () => {
			if (pc.iceGatheringState === 'complete') {
				clearTimeout(t);
				resolve();
			}
		});
	});
}

async function listen(stream) {
	const el = document.getElementById('remote');
	// Chromium feeds a remote stream to WebAudio only while a media element
	// plays it; the element also makes inbound-rtp audioLevel move.
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

const commands = {
	// {relay: bool, ice_servers: [...], codecs: [...]}: a new peer connection with the
	// fake microphone (the tone WAV) as its audio track.
	async init(cmd) {
		const cfg = {bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require',
			iceServers: cmd.ice_servers || []};
		if (cmd.relay)
			cfg.iceTransportPolicy = 'relay';
		pc = new RTCPeerConnection(cfg);
		pc.addEventListener('connectionstatechange', () => {
			history.connection.push(pc.connectionState);
			log('connection: ' + pc.connectionState);
		});
		pc.addEventListener('iceconnectionstatechange', () => {
			history.ice.push(pc.iceConnectionState);
			log('ice: ' + pc.iceConnectionState);
		});
		pc.addEventListener('signalingstatechange', () => {
			history.signaling.push(pc.signalingState);
		});
		pc.addEventListener('track', (ev) => {
			listen(ev.streams[0] || new MediaStream([ev.track]));
		});
		mic = await navigator.mediaDevices.getUserMedia({audio: {
			echoCancellation: false, noiseSuppression: false, autoGainControl: false}});
		for (const t of mic.getTracks())
			pc.addTrack(t, mic);
		// {codecs: ['opus']}: offer only these (plus nothing else).
		if (cmd.codecs) {
			const caps = RTCRtpReceiver.getCapabilities('audio').codecs.filter(
				(c) => cmd.codecs.includes(c.mimeType.split('/')[1].toLowerCase()));
			for (const tr of pc.getTransceivers())
				tr.setCodecPreferences(caps);
		}
		return {tracks: mic.getTracks().length, label: mic.getTracks()[0].label};
	},

	// {ice_restart: bool}: a (re-)offer, once gathering is complete.
	async create_offer(cmd) {
		if (cmd.ice_restart)
			pc.restartIce();
		await pc.setLocalDescription(await pc.createOffer());
		await gathered(cmd.gather_ms || 5000);
		return pc.localDescription.sdp;
	},

	async set_answer(cmd) {
		await pc.setRemoteDescription({type: 'answer', sdp: cmd.sdp});
		return pc.signalingState;
	},

	async accept_offer(cmd) {
		await pc.setRemoteDescription({type: 'offer', sdp: cmd.sdp});
		await pc.setLocalDescription(await pc.createAnswer());
		await gathered(cmd.gather_ms || 5000);
		return pc.localDescription.sdp;
	},

	// {codecs: ['pcmu']}: offer only these from the next (re-)offer on.
	async set_codecs(cmd) {
		const caps = RTCRtpReceiver.getCapabilities('audio').codecs.filter(
			(c) => cmd.codecs.includes(c.mimeType.split('/')[1].toLowerCase()));
		for (const tr of pc.getTransceivers())
			tr.setCodecPreferences(caps);
		return caps.map((c) => c.mimeType);
	},

	// {direction}: sendonly / inactive / sendrecv on the audio transceiver;
	// the harness then asks for a re-offer with create_offer.
	async set_direction(cmd) {
		for (const t of pc.getTransceivers())
			t.direction = cmd.direction;
		return pc.getTransceivers().map((t) => t.direction);
	},

	async wait_connected(cmd) {
		const end = Date.now() + (cmd.timeout_ms || 15000);
		while (pc.connectionState !== 'connected' && Date.now() < end) {
			if (pc.connectionState === 'failed')
				break;
			await sleep(50);
		}
		return {state: pc.connectionState, history: history};
	},

	async stats() {
		const report = await pc.getStats();
		const byId = {};
		report.forEach((s) => { byId[s.id] = s; });
		const out = {connectionState: pc.connectionState,
			iceConnectionState: pc.iceConnectionState, signalingState: pc.signalingState,
			history: history};
		report.forEach((s) => {
			if (s.type === 'inbound-rtp' && s.kind === 'audio') {
				const c = byId[s.codecId] || {};
				out.inbound_ssrcs = (out.inbound_ssrcs || []).concat([s.ssrc]);
				out.inbound = {ssrc: s.ssrc, packetsReceived: s.packetsReceived, packetsLost: s.packetsLost,
					audioLevel: s.audioLevel, totalAudioEnergy: s.totalAudioEnergy,
					totalSamplesDuration: s.totalSamplesDuration, jitter: s.jitter,
					concealedSamples: s.concealedSamples, totalSamplesReceived: s.totalSamplesReceived,
					codec: c.mimeType, clockRate: c.clockRate, payloadType: c.payloadType};
			} else if (s.type === 'outbound-rtp' && s.kind === 'audio') {
				const c = byId[s.codecId] || {};
				out.outbound = {packetsSent: s.packetsSent, bytesSent: s.bytesSent,
					codec: c.mimeType};
			} else if (s.type === 'transport') {
				out.transport = {dtlsState: s.dtlsState, iceState: s.iceState,
					dtlsRole: s.dtlsRole, tlsVersion: s.tlsVersion,
					srtpCipher: s.srtpCipher, selectedCandidatePairChanges:
					s.selectedCandidatePairChanges};
				const pair = byId[s.selectedCandidatePairId];
				if (pair) {
					const l = byId[pair.localCandidateId] || {};
					const r = byId[pair.remoteCandidateId] || {};
					out.pair = {id: pair.id, state: pair.state, nominated: pair.nominated,
						requestsSent: pair.requestsSent, responsesReceived:
						pair.responsesReceived, requestsReceived: pair.requestsReceived,
						responsesSent: pair.responsesSent,
						local: {type: l.candidateType, address: l.address, port: l.port,
							protocol: l.protocol, relayProtocol: l.relayProtocol},
						remote: {type: r.candidateType, address: r.address, port: r.port,
							protocol: r.protocol}};
				}
			}
		});
		const el = document.getElementById('remote');
		out.audioElement = {paused: el.paused, currentTime: el.currentTime};
		return out;
	},

	// The dominant frequency (Goertzel, 100..3800 Hz in 10 Hz steps, as
	// tone.py) and the RMS level (16-bit scale) of the last 32768 samples
	// the page heard.
	async measure() {
		if (!analyser)
			return {freq: 0, rms: 0, rate: 0, error: 'no remote track'};
		const buf = new Float32Array(analyser.fftSize);
		analyser.getFloatTimeDomainData(buf);
		const rate = audioCtx.sampleRate;
		let sum = 0;
		for (const x of buf)
			sum += x * x;
		const rms = Math.sqrt(sum / buf.length) * 32768;
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
		return {freq: best, rms: rms, rate: rate, ctx: audioCtx.state};
	},

	// {tones, duration_ms, gap_ms}: RFC 4733 events through RTCDTMFSender;
	// resolves when the sender has played them all.
	async dtmf(cmd) {
		const sender = pc.getSenders().find((x) => x.dtmf);
		if (!sender || !sender.dtmf.canInsertDTMF)
			throw new Error('no DTMF sender (telephone-event not negotiated?)');
		const played = [];
		const done = new Promise((resolve) => {
			sender.dtmf.ontonechange = (ev) => {
				if (ev.tone === '')
					resolve();
				else
					played.push(ev.tone);
			};
		});
		sender.dtmf.insertDTMF(cmd.tones, cmd.duration_ms || 100, cmd.gap_ms || 70);
		await Promise.race([done, sleep(10000)]);
		return played.join('');
	},

	async close() {
		pc.close();
		return pc.signalingState;
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
