// SPDX-License-Identifier: BSD-3-Clause
// What the e2e agent pages with several peer connections share (pair.js,
// video.js): the log, a sleep, the wait for ICE gathering, and the command
// loop of the e2e.py protocol (GET /cmd, POST /result) that runs a page's
// `commands`. Loaded before the page's own script.
'use strict';

function log(msg) {
	document.getElementById('log').textContent += msg + '\n';
	fetch('/log', {method: 'POST', body: String(msg)}).catch(() => {});
}

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

// Resolves when @pc has gathered its candidates, or after @ms.
function gathered(pc, ms) {
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

// Runs the harness's commands, one at a time, for ever: each is
// commands[cmd.op](cmd); its value or error goes back as the result.
async function agent(commands) {
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
