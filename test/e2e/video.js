// SPDX-License-Identifier: BSD-3-Clause
// Video e2e agent (test_video.py; e2e.py protocol: GET /cmd, POST /result).
// One or two peer connections in this page, named 'a' and 'b'. Each sends an
// oscillator tone (a 440 Hz, b 660 Hz) and the fake camera's test pattern
// (--use-fake-device-for-media-stream), and reports what getStats() says it
// decodes. The harness is the signalling controller between them, the
// gateway and any SIP-side peer.
'use strict';

const HZ = {a: 440, b: 660};
const side = {};
let audioCtx = null;
let camera = null;

// The video codecs of @caps that are @codec: 'vp8', 'vp9' (profile 0),
// 'h264' (packetization-mode 1, constrained baseline first).
function videoCodecs(caps, codec) {
	const want = 'video/' + codec.toLowerCase();
	let list = caps.codecs.filter((c) => c.mimeType.toLowerCase() === want);
	if (codec === 'vp9')
		list = list.filter((c) => !c.sdpFmtpLine || /profile-id=0/.test(c.sdpFmtpLine) ||
				   !/profile-id/.test(c.sdpFmtpLine));
	if (codec === 'h264') {
		list = list.filter((c) => /packetization-mode=1/.test(c.sdpFmtpLine || ''));
		list.sort((x, y) => (/profile-level-id=42e0/.test(y.sdpFmtpLine) ? 1 : 0) -
			  (/profile-level-id=42e0/.test(x.sdpFmtpLine) ? 1 : 0));
	}
	return list;
}

function make(name, bundle, video, audio) {
	const s = {name: name, history: [], videoTimes: null};
	const pc = new RTCPeerConnection({bundlePolicy: bundle, rtcpMuxPolicy: 'require'});
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
			audioCtx.createMediaStreamSource(new MediaStream([ev.track])).connect(s.analyser);
		} else {
			// A playing element makes Chromium decode (and count) frames.
			// Event times (performance.now()): the remote track unmutes at
			// its first RTP packet; the element's first video frame callback
			// comes with the first decoded frame. Unlike getStats() polls,
			// they do not depend on how fast getStats() answers.
			const el = document.getElementById('video-' + name);
			const t = {track_ms: performance.now(), unmute_ms: null, frame_ms: null,
				   muted_at_track: ev.track.muted};
			s.videoTimes = t;
			if (!ev.track.muted)
				t.unmute_ms = t.track_ms;
			ev.track.addEventListener('unmute', () => {
				if (t.unmute_ms === null)
					t.unmute_ms = performance.now();
			});
			if (el.requestVideoFrameCallback)
				el.requestVideoFrameCallback((now) => { t.frame_ms = now; });
			el.srcObject = new MediaStream([ev.track]);
			el.play().catch((e) => log('video play(): ' + e));
		}
	});
	if (audio) {
		const osc = audioCtx.createOscillator();
		osc.frequency.value = HZ[name];
		const dst = audioCtx.createMediaStreamDestination();
		const gain = audioCtx.createGain();
		gain.gain.value = 0.3;
		osc.connect(gain).connect(dst);
		osc.start();
		pc.addTrack(dst.stream.getAudioTracks()[0], dst.stream);
	}
	if (video)
		pc.addTrack(camera.getVideoTracks()[0].clone(), camera);
	return s;
}

async function stats(s) {
	const st = await s.pc.getStats();
	const byId = {};
	st.forEach((x) => { byId[x.id] = x; });
	const r = {audio_packets: 0, freq: 0, level_db: -200, video: null, video_out: null,
		   transports: 0, connection: s.pc.connectionState, history: s.history,
		   transceivers: s.pc.getTransceivers().map((t) => ({mid: t.mid,
			kind: t.receiver.track.kind, direction: t.direction,
			currentDirection: t.currentDirection}))};
	st.forEach((x) => {
		const codec = (byId[x.codecId] || {}).mimeType;
		if (x.type === 'inbound-rtp' && x.kind === 'audio') {
			r.audio_packets = x.packetsReceived;
			r.audio_codec = codec;
		} else if (x.type === 'inbound-rtp' && x.kind === 'video') {
			r.video = {framesDecoded: x.framesDecoded || 0,
				   framesReceived: x.framesReceived || 0,
				   keyFramesDecoded: x.keyFramesDecoded || 0,
				   packetsReceived: x.packetsReceived || 0,
				   packetsLost: x.packetsLost || 0, pliCount: x.pliCount || 0,
				   firCount: x.firCount || 0, nackCount: x.nackCount || 0,
				   frameWidth: x.frameWidth, codec: codec, ssrc: x.ssrc};
		} else if (x.type === 'outbound-rtp' && x.kind === 'video') {
			r.video_out = {framesEncoded: x.framesEncoded || 0,
				       packetsSent: x.packetsSent || 0,
				       keyFramesEncoded: x.keyFramesEncoded || 0,
				       pliCount: x.pliCount || 0, firCount: x.firCount || 0,
				       nackCount: x.nackCount || 0, codec: codec};
		} else if (x.type === 'outbound-rtp' && x.kind === 'audio') {
			r.audio_sent = x.packetsSent;
		} else if (x.type === 'transport') {
			r.transports++;
			if (x.dtlsState === 'connected')
				r.srtp_cipher = x.srtpCipher;
		}
	});
	if (s.analyser) {
		const bins = new Float32Array(s.analyser.frequencyBinCount);
		s.analyser.getFloatFrequencyData(bins);
		let best = 1;
		for (let i = 2; i < bins.length; i++)
			if (bins[i] > bins[best])
				best = i;
		r.freq = best * audioCtx.sampleRate / s.analyser.fftSize;
		r.level_db = bins[best];
	}
	return r;
}

const commands = {
	// {sides: ['a', 'b'], bundle: 'max-bundle'|'balanced', codec: 'vp8'|'vp9'|'h264',
	//  audio: bool}: the peer connections, each with a tone and the camera.
	async init(cmd) {
		audioCtx = new AudioContext();
		if (audioCtx.state !== 'running')
			await audioCtx.resume();
		camera = await navigator.mediaDevices.getUserMedia({video: {width: 320,
			height: 240, frameRate: 15}});
		const out = {};
		for (const name of cmd.sides) {
			side[name] = make(name, cmd.bundle || 'max-bundle', true, cmd.audio !== false);
			if (cmd.codec) {
				const send = videoCodecs(RTCRtpSender.getCapabilities('video'), cmd.codec);
				const recv = videoCodecs(RTCRtpReceiver.getCapabilities('video'), cmd.codec);
				if (!send.length || !recv.length)
					throw new Error('this Chromium has no ' + cmd.codec + ' (send ' +
							send.length + ', receive ' + recv.length + ')');
				for (const t of side[name].pc.getTransceivers())
					if (t.receiver.track.kind === 'video')
						t.setCodecPreferences(recv);
				out[name] = recv.map((c) => c.mimeType + ' ' + (c.sdpFmtpLine || ''));
			}
		}
		return out;
	},

	async offer(cmd) {
		const pc = side[cmd.side].pc;
		await pc.setLocalDescription(await pc.createOffer());
		await gathered(pc, 5000);
		return pc.localDescription.sdp;
	},

	async answer(cmd) {
		const pc = side[cmd.side].pc;
		await pc.setRemoteDescription({type: 'offer', sdp: cmd.sdp});
		await pc.setLocalDescription(await pc.createAnswer());
		await gathered(pc, 5000);
		return pc.localDescription.sdp;
	},

	async set_answer(cmd) {
		const pc = side[cmd.side].pc;
		await pc.setRemoteDescription({type: 'answer', sdp: cmd.sdp});
		return pc.signalingState;
	},

	async wait_connected(cmd) {
		const end = Date.now() + (cmd.timeout_ms || 20000);
		const names = Object.keys(side);
		while (Date.now() < end) {
			if (names.every((n) => side[n].pc.connectionState === 'connected'))
				return true;
			await sleep(100);
		}
		const h = {};
		for (const n of names)
			h[n] = side[n].history;
		return h;
	},

	// getStats() of every side (see stats()).
	async report(cmd) {
		const out = {};
		for (const n of Object.keys(side))
			out[n] = await stats(side[n]);
		return out;
	},

	// {side}: from now on, polls the side's inbound-rtp video every 20 ms in
	// the background (watched() gives the outcome): the page times (ms since
	// this command) of the first video packet and of the first decoded frame.
	async watch(cmd) {
		const s = side[cmd.side];
		const t0 = performance.now();
		const w = {first_packet_ms: null, first_frame_ms: null, video: null, polls: 0, t0: t0};
		s.watch = w;
		(async () => {
			while (w.first_frame_ms === null && performance.now() - t0 < 60000) {
				const r = await stats(s);
				const now = performance.now() - t0;
				w.polls++;
				w.video = r.video;
				if (r.video && r.video.packetsReceived > 0 && w.first_packet_ms === null)
					w.first_packet_ms = now;
				if (r.video && r.video.framesDecoded > 0)
					w.first_frame_ms = now;
				await sleep(20);
			}
		})();
		return true;
	},

	// {side, timeout_ms}: waits for watch()'s first decoded frame (at most
	// timeout_ms) and returns what it saw.
	// The result also has the event times of the video track (videoTimes,
	// ms since watch()): unmute (first packet) and the first frame callback.
	async watched(cmd) {
		const s = side[cmd.side];
		const w = s.watch;
		const end = performance.now() + (cmd.timeout_ms || 10000);
		while ((w.first_frame_ms === null || (s.videoTimes && s.videoTimes.frame_ms === null)) &&
		       performance.now() < end)
			await sleep(50);
		const out = Object.assign({}, w);
		const t = s.videoTimes;
		if (t) {
			const rel = (x) => x === null ? null : x - w.t0;
			out.events = {track_ms: rel(t.track_ms), unmute_ms: rel(t.unmute_ms),
				      frame_ms: rel(t.frame_ms), muted_at_track: t.muted_at_track};
		}
		return out;
	},
};

agent(commands);
