/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Audio codecs and the per-stream transcoder.
 *
 * Codecs: G.711 µ-law/A-law (own table-driven code, bit-exact with spandsp),
 * G.722 (spandsp, 16 kHz PCM, RTP clock 8000 per RFC 3551) and Opus
 * (libopus, mono, run at 8 or 16 kHz so no resampler is needed, RTP clock
 * 48000). Each is described by a `const struct wrtc_codec_ops`.
 *
 * The transcoder (struct wrtc_codec_xcoder) converts one direction of one
 * stream: RTP packets of the input codec in, RTP packets of the output codec
 * out, with its own SSRC, sequence numbers and timestamps, ptime
 * re-packetisation, loss concealment, DTX/comfort noise, and RFC 4733
 * telephone-event passthrough with payload type, timestamp and duration
 * rescaled. It is created on the control lcore (this allocates) and then
 * used by exactly one worker: wrtc_codec_xcoder_input() and
 * wrtc_codec_xcoder_output() never allocate, lock or log.
 *
 * EAL-free: it works on plain buffers (mbuf data).
 */
#ifndef WRTC_CODEC_H
#define WRTC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wrtc_rtp.h"

/** Codecs known to the transcoder. */
enum wrtc_codec_id {
	WRTC_CODEC_PCMU = 0,  /**< G.711 µ-law, RTP clock 8000. */
	WRTC_CODEC_PCMA,      /**< G.711 A-law, RTP clock 8000. */
	WRTC_CODEC_G722,      /**< G.722 64 kbit/s, 16 kHz audio, RTP clock 8000. */
	WRTC_CODEC_OPUS,      /**< Opus mono, RTP clock 48000. */
	WRTC_CODEC_MAX
};

enum {
	WRTC_CODEC_OPS_API = 1,      /**< Version of struct wrtc_codec_ops. */
	WRTC_CODEC_PKT_MAX = 1500,   /**< Largest RTP packet the transcoder emits. */
	WRTC_CODEC_PTIME_MAX = 60,   /**< Longest output ptime (ms). */
	WRTC_CODEC_PCM_MAX = 1920,   /**< PCM samples of 120 ms at 16 kHz (one Opus packet). */
};

/** Encoder settings (the codec entry of the configuration). */
struct wrtc_codec_enc_prm {
	int complexity;      /**< Opus complexity 0..10; -1 leaves the libopus default. */
	int bitrate;         /**< Target bit rate in bit/s; 0 for the codec's default. */
	bool fec;            /**< Opus in-band FEC (LBRR). */
	bool dtx;            /**< Opus discontinuous transmission. */
	int loss_pct;        /**< Expected packet loss in percent (tunes Opus FEC), 0..100. */
};

/**
 * One codec. Encoder and decoder states are created on the control lcore
 * (they allocate); encode/decode/conceal never allocate.
 */
struct wrtc_codec_ops {
	unsigned int api_version;   /**< WRTC_CODEC_OPS_API. */
	const char *name;           /**< SDP encoding name ("PCMU", "PCMA", "G722", "opus"). */
	enum wrtc_codec_id id;      /**< Identifier. */
	uint8_t static_pt;          /**< RFC 3551 static payload type, or 255 if dynamic. */
	uint32_t rtp_clock;         /**< RTP clock rate in Hz. */
	uint32_t pcm_rate;          /**< Native PCM rate, or 0 if any of 8000/16000 (Opus). */
	uint16_t frame_ms_min;      /**< Shortest packet duration accepted for encoding (ms). */
	uint16_t frame_ms_max;      /**< Longest packet duration accepted for encoding (ms). */
	/** True if @p ms is a packet duration the encoder can produce. */
	bool (*frame_ok)(unsigned int ms);
	/** Create an encoder at PCM rate @p rate; NULL with errno set on failure. */
	void *(*enc_create)(uint32_t rate, const struct wrtc_codec_enc_prm *prm);
	/** Free an encoder; NULL is accepted. */
	void (*enc_free)(void *enc);
	/** Encode @p n samples into @p out; returns bytes written or -errno. */
	int (*encode)(void *enc, const int16_t *pcm, unsigned int n, uint8_t *out, size_t cap);
	/** Create a decoder (with its concealment state) at PCM rate @p rate. */
	void *(*dec_create)(uint32_t rate);
	/** Free a decoder; NULL is accepted. */
	void (*dec_free)(void *dec);
	/** Decode one payload into at most @p max samples; returns samples or -errno. */
	int (*decode)(void *dec, const uint8_t *in, size_t size, int16_t *pcm, unsigned int max);
	/** Conceal @p n lost samples; returns @p n or -errno. */
	int (*conceal)(void *dec, int16_t *pcm, unsigned int n);
	/**
	 * Recover the @p n samples before payload @p in from its in-band FEC (or
	 * conceal them if it carries none); NULL if the codec has no FEC.
	 */
	int (*decode_fec)(void *dec, const uint8_t *in, size_t size, int16_t *pcm, unsigned int n);
	/** Samples at PCM rate @p rate that payload @p in decodes to, or -errno. */
	int (*samples)(const uint8_t *in, size_t size, uint32_t rate);
};

/** The ops of codec @p id, or NULL if out of range. */
const struct wrtc_codec_ops *wrtc_codec_ops_get(enum wrtc_codec_id id);

/** The ops of the codec with SDP encoding name @p name (case-insensitive), or NULL. */
const struct wrtc_codec_ops *wrtc_codec_ops_find(const char *name);

/** G.711 µ-law encode of one 16-bit linear sample (bit-exact with spandsp). */
uint8_t wrtc_codec_ulaw_from_linear(int16_t x);
/** G.711 µ-law decode of one code. */
int16_t wrtc_codec_ulaw_to_linear(uint8_t u);
/** G.711 A-law encode of one 16-bit linear sample (bit-exact with spandsp). */
uint8_t wrtc_codec_alaw_from_linear(int16_t x);
/** G.711 A-law decode of one code. */
int16_t wrtc_codec_alaw_to_linear(uint8_t a);

/* ---------------------------------------------------------------------- */
/* Transcoder                                                              */

/** One side (input or output) of a transcoder. */
struct wrtc_codec_side_prm {
	enum wrtc_codec_id codec;   /**< Codec. */
	uint8_t pt;                 /**< Its RTP payload type. */
	uint32_t clock;             /**< RTP clock; 0 for the codec's (8000, or 48000 for Opus). */
	uint16_t ptime;             /**< Packet duration in ms: what is sent (output) or
					 expected (input, for concealment before the first
					 packet); 0 means 20. */
	int dtmf_pt;                /**< telephone-event payload type, -1 if none. */
	uint32_t dtmf_clock;        /**< telephone-event clock; 0 means @p clock. */
	int cn_pt;                  /**< Comfort noise (RFC 3389) payload type, -1 if none. */
};

/** Parameters of wrtc_codec_xcoder_create(). */
struct wrtc_codec_xcoder_prm {
	struct wrtc_codec_side_prm in;    /**< What arrives. */
	struct wrtc_codec_side_prm out;   /**< What is sent. */
	uint32_t out_ssrc;                /**< SSRC of the output stream. */
	uint16_t out_seq;                 /**< First output sequence number. */
	uint32_t out_ts;                  /**< First output timestamp. */
	struct wrtc_codec_enc_prm enc;    /**< Output encoder settings. */
};

/** Counters of one transcoder; written by its worker only. */
struct wrtc_codec_xcoder_stats {
	uint64_t in_packets;      /**< RTP packets accepted (audio, DTMF, CN). */
	uint64_t in_bytes;        /**< Their payload bytes. */
	uint64_t in_bad;          /**< Dropped: RTP header invalid. */
	uint64_t in_bad_pt;       /**< Dropped: payload type not expected. */
	uint64_t in_late;         /**< Dropped: duplicate or older than the last packet. */
	uint64_t in_lost;         /**< Sequence numbers missing (lost upstream). */
	uint64_t in_resync;       /**< Sequence or timestamp jumps handled as a restart. */
	uint64_t in_decode_err;   /**< Dropped: the decoder rejected the payload. */
	uint64_t in_silence;      /**< Timestamp gaps without loss (DTX, silence suppression). */
	uint64_t in_cn;           /**< Comfort noise packets received. */
	uint64_t plc_samples;     /**< Samples concealed (PCM rate). */
	uint64_t fec_frames;      /**< Lost frames decoded from the next packet's in-band FEC. */
	uint64_t dtmf_in;         /**< telephone-event packets received. */
	uint64_t dtmf_dropped;    /**< telephone-event packets dropped (no output PT, bad size). */
	uint64_t out_packets;     /**< RTP packets handed out by wrtc_codec_xcoder_output(). */
	uint64_t out_bytes;       /**< Their payload bytes. */
	uint64_t out_dtmf;        /**< telephone-event packets among them. */
	uint64_t out_cn;          /**< Comfort noise packets among them. */
	uint64_t out_dtx;         /**< Frames not sent because the encoder chose DTX. */
	uint64_t out_encode_err;  /**< Frames the encoder failed. */
	uint64_t out_overflow;    /**< Packets dropped because the output queue was full. */
};

struct wrtc_codec_xcoder;

/**
 * Create a transcoder. Control lcore only: this allocates the codec states
 * and the buffers used later by the worker.
 *
 * @param prm  Parameters; copied.
 * @return the transcoder, or NULL with errno set:
 *   EINVAL for an unknown codec, a ptime the output codec cannot produce
 *   (Opus: 10/20/40/60; G.711/G.722: 10..60 in steps of 10), a payload type
 *   above 127, or an RTP clock that does not match the codec;
 *   ENOTSUP for a pair that would need a resampler (G.711 ⇄ G.722) or
 *   Opus ⇄ Opus; ENOMEM.
 */
struct wrtc_codec_xcoder *wrtc_codec_xcoder_create(const struct wrtc_codec_xcoder_prm *prm);

/** Where an outgoing RTP stream stands, for the sender that takes it over. */
struct wrtc_codec_outpos {
	uint32_t ssrc;      /**< Its SSRC. */
	uint16_t next_seq;  /**< The next sequence number. */
	uint32_t last_ts;   /**< Timestamp of the last packet sent. */
	uint64_t last_us;   /**< When that was sent (µs, the clock of the callers' now_us). */
	bool sent;          /**< A packet was sent at all; else the other fields mean nothing. */
};

/** Where @p x's output stream stands (owning worker). */
void wrtc_codec_xcoder_outpos(const struct wrtc_codec_xcoder *x, struct wrtc_codec_outpos *p);

/**
 * Continue the outgoing stream @p p with @p x (a re-offer changed what feeds
 * it: another codec, or relaying gave way to transcoding; the owning worker
 * calls this before it starts using @p x). @p x takes the SSRC and the next
 * sequence number; its first packet carries the marker bit, and its first
 * timestamp is @p p's last one plus the wall-clock time from @p p's last
 * packet to @p x's first input (wrtc_codec_xcoder_input()'s now_us) at the
 * output clock, at least one output frame (RFC 3550 5.1, RFC 7160 4.1: the
 * receiver's timeline goes on; a pause, hold, shows as the time it took).
 *
 * @return 0; -EINVAL if @p p has sent nothing; -EALREADY if @p x was used
 *   or continued already.
 */
int wrtc_codec_xcoder_continue_from(struct wrtc_codec_xcoder *x, const struct wrtc_codec_outpos *p);

/**
 * Continue @p prev's output stream with @p x, which replaces it (a re-offer
 * changed the codec; the owning worker calls this before it starts using
 * @p x, while it still owns @p prev): wrtc_codec_xcoder_continue_from() with
 * @p prev's position (its SSRC too), and the sender counts go on.
 *
 * @param x     The new transcoder.
 * @param prev  The one it replaces.
 * @return 0 if continued, -EALREADY or -EINVAL (@p prev is @p x or sent
 *   nothing) if not.
 */
int wrtc_codec_xcoder_continue(struct wrtc_codec_xcoder *x, const struct wrtc_codec_xcoder *prev);

/** Free a transcoder (the owning worker does this); NULL is accepted. */
void wrtc_codec_xcoder_free(struct wrtc_codec_xcoder *x);

/**
 * Feed one received RTP packet (after SRTP unprotect).
 *
 * Audio is decoded; a sequence gap is concealed (Opus PLC, with the lost
 * frame recovered from this packet's in-band FEC when present; waveform PLC
 * for G.711/G.722) up to 120 ms, longer gaps become silence; a timestamp gap
 * without loss (DTX, silence suppression) advances the output timeline with
 * a marker bit on the next packet. telephone-event packets are queued with
 * payload type, sequence number, timestamp and duration rewritten. Every
 * complete output packet is encoded here and queued for
 * wrtc_codec_xcoder_output().
 *
 * @param x       Transcoder.
 * @param rtp     The RTP packet.
 * @param size    Its size.
 * @param now_us  Arrival time in µs (for the reception statistics' jitter).
 * @return 0 if accepted; a negative errno if dropped (and counted):
 *   -EBADMSG bad RTP header, -ENOMSG unexpected payload type,
 *   -EALREADY duplicate or late, -EPROTO decoder error.
 */
int wrtc_codec_xcoder_input(struct wrtc_codec_xcoder *x, const uint8_t *rtp, size_t size,
			    uint64_t now_us);

/**
 * Take the next output RTP packet, if any. Call until it returns 0.
 *
 * @param x       Transcoder.
 * @param buf     Where to copy the packet.
 * @param cap     Bytes available (WRTC_CODEC_PKT_MAX always suffices).
 * @param now_us  Send time in µs (for the send statistics of the SR).
 * @return the packet size; 0 if none is queued; -ENOSPC if @p cap is too
 *   small (the packet stays queued).
 */
int wrtc_codec_xcoder_output(struct wrtc_codec_xcoder *x, uint8_t *buf, size_t cap,
			     uint64_t now_us);

/** Counters (pointer valid until wrtc_codec_xcoder_free()). */
const struct wrtc_codec_xcoder_stats *wrtc_codec_xcoder_stats(const struct wrtc_codec_xcoder *x);

/**
 * Reception statistics of the input stream (RFC 3550 A.1/A.8), for the RR
 * of the leg it arrives on. The owning worker passes it to wrtc_rtcp_build_*().
 */
struct wrtc_rtp_rx_stats *wrtc_codec_xcoder_rx_stats(struct wrtc_codec_xcoder *x);

/** Send statistics of the output stream, for the SR of the leg it leaves on. */
const struct wrtc_rtp_tx_stats *wrtc_codec_xcoder_tx_stats(const struct wrtc_codec_xcoder *x);

/** PCM rate the transcoder runs at (8000 or 16000). */
uint32_t wrtc_codec_xcoder_rate(const struct wrtc_codec_xcoder *x);

#endif
