// SPDX-License-Identifier: BSD-3-Clause
// Two WebRTC endpoints in one page for the WebRTC <-> WebRTC tests
// (test_pair.py): A and B each have an oscillator tone, an animated canvas
// video and (A opens it) a data channel. The harness (e2e.py protocol: GET
// /cmd, POST /result) is the signalling controller between them and the
// gateway.
'use strict';

const HZ = {a: 440, b: 660};
const SIZES = [1024, 65536];
const side = {};
let audioCtx = null;

// Checkable bytes of message @size sent by @who.
function message(who, size) {
	const m = new Uint8Array(size);
	for (let i = 0; i < size; i++)
		m[i] = (i * 31 + size + (who === 'a' ? 7 : 11)) & 0xff;
	return m;
}

function same(x, y) {
	if (x.length !== y.length)
		return false;
	for (let i = 0; i < x.length; i++)
		if (x[i] !== y[i])
			return false;
	return true;
}

function attach(s, ch) {
	s.ch = ch;
	ch.binaryType = 'arraybuffer';
	ch.onmessage = (ev) => {
		const m = new Uint8Array(ev.data);
		for (const size of SIZES)
			if (same(m, message(s.name, size))) {
				s.echoed[size] = true;
				return;
			}
		ch.send(m); // the other side's message: echo it
	};
}

function make(name, video, bundle) {
	const s = {name: name, echoed: {}, history: []};
	const pc = new RTCPeerConnection({bundlePolicy: bundle ? 'max-bundle' : 'balanced',
		rtcpMuxPolicy: 'require'});
	s.pc = pc;
	pc.addEventListener('connectionstatechange', () => {
		s.history.push(pc.connectionState);
		log(name + ' connection: ' + pc.connectionState);
	});
	pc.addEventListener('track', async (ev) => {
		const stream = ev.streams[0] || new MediaStream([ev.track]);
		if (ev.track.kind === 'audio') {
			const el = document.getElementById('remote-' + name);
			el.srcObject = stream;
			try {
				await el.play();
			} catch (e) {
				log('play(): ' + e);
			}
			s.analyser = audioCtx.createAnalyser();
			s.analyser.fftSize = 16384;
			audioCtx.createMediaStreamSource(stream).connect(s.analyser);
		} else {
			document.getElementById('video-' + name).srcObject = stream;
		}
	});
	pc.addEventListener('datachannel', (ev) => attach(s, ev.channel));
	const osc = audioCtx.createOscillator();
	osc.frequency.value = HZ[name];
	const dst = audioCtx.createMediaStreamDestination();
	const gain = audioCtx.createGain();
	gain.gain.value = 0.3;
	osc.connect(gain).connect(dst);
	osc.start();
	const at = dst.stream.getAudioTracks()[0];
	pc.addTrack(at, dst.stream);
	if (video) {
		const canvas = document.getElementById('canvas-' + name);
		const g = canvas.getContext('2d');
		let n = 0;
		setInterval(() => {
			g.fillStyle = `hsl(${(n++ * 7) % 360}, 80%, 50%)`;
			g.fillRect(0, 0, 320, 240);
			g.fillStyle = '#000';
			g.fillText(name + ' ' + n, 10 + (n % 200), 120);
		}, 33);
		const vs = canvas.captureStream(30);
		pc.addTrack(vs.getVideoTracks()[0], vs);
	}
	return s;
}

// The certificate fingerprints of the selected transport, as getStats reports them.
async function certs(pc) {
	const st = await pc.getStats();
	let local = null, remote = null;
	st.forEach((r) => {
		if (r.type === 'transport' && r.dtlsState === 'connected') {
			const fp = (c) => c ? (c.fingerprintAlgorithm + ' ' +
				c.fingerprint).toUpperCase() : null;
			local = fp(st.get(r.localCertificateId));
			remote = fp(st.get(r.remoteCertificateId));
		}
	});
	return {local: local, remote: remote};
}

const commands = {
	// {video: bool, max_bundle: bool}: both endpoints; A opens the data channel.
	async init(cmd) {
		audioCtx = new AudioContext();
		if (audioCtx.state !== 'running')
			await audioCtx.resume();
		side.a = make('a', cmd.video, cmd.max_bundle);
		side.b = make('b', cmd.video, cmd.max_bundle);
		attach(side.a, side.a.pc.createDataChannel('e2e'));
		return true;
	},

	async offer(cmd) {
		const pc = side.a.pc;
		await pc.setLocalDescription(await pc.createOffer());
		await gathered(pc, 5000);
		return pc.localDescription.sdp;
	},

	async answer(cmd) {
		const pc = side.b.pc;
		await pc.setRemoteDescription({type: 'offer', sdp: cmd.sdp});
		await pc.setLocalDescription(await pc.createAnswer());
		await gathered(pc, 5000);
		return pc.localDescription.sdp;
	},

	async set_answer(cmd) {
		await side.a.pc.setRemoteDescription({type: 'answer', sdp: cmd.sdp});
		return side.a.pc.signalingState;
	},

	async wait_connected(cmd) {
		const end = Date.now() + (cmd.timeout_ms || 20000);
		while (Date.now() < end) {
			if (side.a.pc.connectionState === 'connected' &&
			    side.b.pc.connectionState === 'connected')
				return true;
			await sleep(100);
		}
		return {a: side.a.history, b: side.b.history};
	},

	// Each side sends 1 KB and 64 KB, the other echoes; which came back intact.
	async data(cmd) {
		for (const s of [side.a, side.b]) {
			const end = Date.now() + 10000;
			while ((!s.ch || s.ch.readyState !== 'open') && Date.now() < end)
				await sleep(50);
			if (!s.ch || s.ch.readyState !== 'open')
				throw new Error(s.name + ': data channel not open');
		}
		for (const s of [side.a, side.b])
			for (const size of SIZES)
				s.ch.send(message(s.name, size));
		const end = Date.now() + (cmd.timeout_ms || 15000);
		while (Date.now() < end) {
			if (SIZES.every((z) => side.a.echoed[z] && side.b.echoed[z]))
				break;
			await sleep(100);
		}
		return {a: Object.keys(side.a.echoed).sort(), b: Object.keys(side.b.echoed).sort()};
	},

	// Per endpoint: certificates, the dominant frequency heard, RTP and video counters.
	async report(cmd) {
		const out = {};
		for (const s of [side.a, side.b]) {
			const r = {certs: await certs(s.pc), freq: 0, packets: 0, frames: 0,
				   video_packets: 0};
			const st = await s.pc.getStats();
			st.forEach((x) => {
				if (x.type === 'inbound-rtp' && x.kind === 'audio')
					r.packets = x.packetsReceived;
				if (x.type === 'inbound-rtp' && x.kind === 'video') {
					r.frames = x.framesDecoded || 0;
					r.video_packets = x.packetsReceived;
				}
			});
			if (s.analyser) {
				const bins = new Float32Array(s.analyser.frequencyBinCount);
				s.analyser.getFloatFrequencyData(bins);
				let best = 0;
				for (let i = 1; i < bins.length; i++)
					if (bins[i] > bins[best])
						best = i;
				r.freq = best * audioCtx.sampleRate / s.analyser.fftSize;
				r.level_db = bins[best];
			}
			out[s.name] = r;
		}
		return out;
	},
};

agent(commands);
