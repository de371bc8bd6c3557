/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * flowgate.h - the one definition of every structure, enum and constant shared
 * by the BPF programs (xdp/, tc/) and user space (userspace/, tests/).
 *
 * Rules for this file:
 *  - fixed-width __u* types only, explicit padding, sizes pinned by
 *    _Static_assert so a silent layout change fails the build on both sides;
 *  - the byte order of every field is written next to it ("BE" = network
 *    order, everything else host order);
 *  - names that user space prints come from the X-macros below, so the kernel
 *    enum and the printed string cannot drift apart.
 */
#ifndef FLOWGATE_H
#define FLOWGATE_H

#include <linux/types.h>

/* ------------------------------------------------------------------------ */
/* Limits                                                                   */
/* ------------------------------------------------------------------------ */

#define FG_VLAN_MAX_DEPTH	2	/* 802.1Q / 802.1ad tags walked */
#define FG_IPV6_EXT_MAX		8	/* IPv6 extension headers walked */
#define FG_MAX_RULES_DEFAULT	131072	/* compiled rules incl. failsafe */
#define FG_MAX_WORDS		4096	/* bitmap words scanned: 262144 rules */
#define FG_FLOWS_DEFAULT	262144	/* flow table entries */
#define FG_FRAGS_DEFAULT	16384	/* fragmented datagrams tracked */
#define FG_MAX_IFACES		64
#define FG_RULE_NAME_MAX	64	/* user space only; kernel knows ids */
#define FG_FRAG_TIMEOUT_NS	(30ULL * 1000000000ULL)

/* ------------------------------------------------------------------------ */
/* Enums                                                                    */
/* ------------------------------------------------------------------------ */

/* What a rule (or the default) decides for a new flow. */
enum fg_action {
	FG_ACTION_DENY = 0,
	FG_ACTION_ALLOW = 1,
	FG_ACTION_INSPECT = 2,	/* reserved for the AF_XDP inspector */
};

/* Hook a packet was seen at. Index of per-direction arrays. */
enum fg_hook_dir {
	FG_HOOK_INGRESS = 0,	/* XDP, or TC ingress with --xdp-mode none */
	FG_HOOK_EGRESS = 1,	/* TC egress */
};

/* Direction of a packet relative to its flow. Index of fg_flow arrays. */
enum fg_flow_dir {
	FG_DIR_ORIG = 0,	/* initiator -> responder */
	FG_DIR_REPLY = 1,	/* responder -> initiator */
};

/* Flow states. TCP uses all; UDP/ICMP/other use FG_STATE_ESTABLISHED. */
#define FG_FLOW_STATES(X)			\
	X(NONE,		"none")			\
	X(SYN,		"syn")			\
	X(ESTABLISHED,	"established")		\
	X(CLOSING,	"closing")		\
	X(CLOSED,	"closed")

#define FG_X_ENUM_STATE(id, str) FG_STATE_##id,
enum fg_flow_state { FG_FLOW_STATES(FG_X_ENUM_STATE) FG_STATE_MAX };

/* Per-verdict counters: what happened to a packet. */
#define FG_VERDICTS(X)						\
	X(ALLOW,	"allow")	/* allowed by a rule/flow */	\
	X(DENY,		"deny")		/* denied by a rule/flow */	\
	X(PASS,		"pass")		/* outside policy: non-IP, ND */\
	X(MALFORMED,	"malformed")	/* dropped by the parser */	\
	X(INSPECT,	"inspect")	/* reserved: sent to inspector */

#define FG_X_ENUM_VERDICT(id, str) FG_VERDICT_##id,
enum fg_verdict { FG_VERDICTS(FG_X_ENUM_VERDICT) FG_VERDICT_MAX };

/* Why a packet was dropped. Every drop has exactly one reason. */
#define FG_DROP_REASONS(X)						\
	X(POLICY,		"policy")	/* rule or default denies */	\
	X(FLOW_DENIED,		"flow_denied")	/* packet of a denied flow */	\
	X(L2_TRUNC,		"l2_truncated")					\
	X(VLAN_DEPTH,		"vlan_too_deep")	/* > FG_VLAN_MAX_DEPTH */	\
	X(IP_TRUNC,		"ip_truncated")					\
	X(IP_VERSION,		"ip_bad_version")				\
	X(IP_IHL,		"ip_bad_ihl")					\
	X(IP_TOTLEN,		"ip_bad_total_length")				\
	X(IP6_PAYLOAD_LEN,	"ip6_bad_payload_length")			\
	X(EXTHDR_TRUNC,		"ip6_exthdr_truncated")				\
	X(EXTHDR_CHAIN,		"ip6_exthdr_chain_too_long")			\
	X(EXTHDR_ORDER,		"ip6_exthdr_bad_order")	/* e.g. HBH not first */\
	X(L4_TRUNC,		"l4_truncated")					\
	X(TCP_DOFF,		"tcp_bad_data_offset")				\
	X(TCP_FLAGS,		"tcp_bad_flags")	/* SYN+FIN, SYN+RST, none */\
	X(FRAG_NO_FIRST,	"frag_without_first")	/* out of order/unknown */\
	X(FRAG_DENIED,		"frag_denied")	/* datagram's first was denied */\
	X(FRAG_TINY,		"frag_tiny_first")	/* L4 header not in first */\
	X(FRAG_OVERLAP,		"frag_overlaps_l4")	/* offset inside L4 hdr */\
	X(FRAG_BAD,		"frag_bad_length")				\
	X(TCP_NEW_NOT_SYN,	"tcp_new_not_syn")	/* reserved, strict mode */\
	X(NO_POLICY,		"no_policy")	/* no policy installed yet */	\
	X(INSPECT_UNAVAILABLE,	"inspect_unavailable")	/* no inspector, closed */ \
	X(INTERNAL,		"internal")	/* map lookup failed */	\
	X(FRAG_UNINSPECTABLE,	"frag_uninspectable")	/* fragmented payload \
						 * of a flow in inspection */ \
	X(INSPECT_OVERSIZE,	"inspect_oversize")	/* payload to inspect \
						 * longer than the inspector's \
						 * path carries, closed */

#define FG_X_ENUM_DROP(id, str) FG_DROP_##id,
enum fg_drop_reason { FG_DROP_REASONS(FG_X_ENUM_DROP) FG_DROP_MAX };

/* Global event/flow counters (not per verdict). */
#define FG_COUNTERS(X)							\
	X(FLOW_NEW,		"flow_new")	/* flows classified+inserted */	\
	X(FLOW_DELETE,		"flow_delete")	/* deleted by the kernel */	\
	X(FLOW_RECHECK,		"flow_recheck")	/* re-classified after reload */\
	X(FLOW_PICKUP,		"flow_pickup")	/* TCP mid-stream pickup */	\
	X(FLOW_EXPIRED,		"flow_expired")	/* timed out, re-classified */	\
	X(FLOW_INSERT_FAIL,	"flow_insert_fail")				\
	X(RELATED,		"icmp_related")	/* ICMP error of a flow */	\
	X(FRAG_FIRST,		"frag_first")					\
	X(FRAG_LATER,		"frag_later")					\
	X(EVENT_SENT,		"events_sent")					\
	X(EVENT_RATELIMITED,	"events_ratelimited")				\
	X(EVENT_RINGBUF_FULL,	"events_ringbuf_full")				\
	X(INSPECT_REDIRECT,	"inspect_redirect")	/* payload to inspector */ \
	X(INSPECT_FAIL_OPEN,	"inspect_fail_open")	/* passed, no inspector */ \
	X(INSPECT_FAIL_CLOSED,	"inspect_fail_closed")	/* dropped, no inspector */ \
	X(INSPECT_REINJECTED,	"inspect_reinjected")	/* frames back from it */ \
	X(WOULD_DENY,		"would_deny")	/* monitor mode: passed, a rule \
						 * or the default denies it */ \
	X(INSPECT_OVERSIZE,	"inspect_oversize")	/* payload to inspect \
						 * too long for the inspector: \
						 * inspect_failure applied */

#define FG_X_ENUM_CNT(id, str) FG_CNT_##id,
enum fg_counter { FG_COUNTERS(FG_X_ENUM_CNT) FG_CNT_MAX };

/* Classifier fields: first byte of every fg_lpm_key. */
enum fg_field {
	FG_FIELD_SRC4 = 1,	/* initiator address, IPv4 */
	FG_FIELD_SRC6 = 2,	/* initiator address, IPv6 */
	FG_FIELD_DST4 = 3,	/* responder address, IPv4 */
	FG_FIELD_DST6 = 4,	/* responder address, IPv6 */
	FG_FIELD_PORT = 5,	/* proto, then responder port or ICMP type/code */
};

/* Events through the ring buffer. */
enum fg_event_type {
	FG_EV_DENY = 1,		/* new flow denied by a rule with log: true */
	FG_EV_MALFORMED = 2,	/* packet dropped by the parser */
	FG_EV_FRAG = 3,		/* fragment dropped (reason says why) */
};

/* fg_event.flags */
#define FG_EV_F_MONITOR		(1U << 0)	/* FG_EV_DENY in monitor mode:
						 * the packet was delivered */

/* Rule metadata flags. */
#define FG_RULE_F_LOG		(1U << 0)	/* emit FG_EV_DENY */
#define FG_RULE_F_ICMPV6_EXPL	(1U << 1)	/* names icmpv6 explicitly: may
						 * decide neighbour discovery */
#define FG_RULE_F_DEFAULT	(1U << 2)	/* the policy's default */
#define FG_RULE_F_FAILSAFE	(1U << 3)
#define FG_RULE_F_INSPECT	(1U << 4)	/* action FG_ACTION_INSPECT:
						 * inspect_dirs says which */
#define FG_RULE_F_MONITOR	(1U << 5)	/* mode: monitor: a deny passes,
						 * counted and logged as
						 * "would deny" */

/* fg_rule_meta.inspect_dirs: flow directions whose payload the inspector
 * sees (bit = 1 << enum fg_flow_dir). */
#define FG_INSPECT_DIR_ORIG	(1U << FG_DIR_ORIG)
#define FG_INSPECT_DIR_REPLY	(1U << FG_DIR_REPLY)
/* The reply direction is read only to log it (DNS answers): no policy
 * depends on it, so a fragmented reply the inspector cannot see whole
 * passes uninspected instead of being dropped (fg_insp_finish). */
#define FG_INSPECT_REPLY_LOG_ONLY	(1U << 2)

/* Flow flags. */
#define FG_FLOW_F_INIT_LO	(1U << 0)	/* initiator is the key's lo side */
#define FG_FLOW_F_FIN_ORIG	(1U << 1)
#define FG_FLOW_F_FIN_REPLY	(1U << 2)
#define FG_FLOW_F_SYNACK	(1U << 3)	/* responder answered SYN */
#define FG_FLOW_F_PICKUP	(1U << 4)	/* created mid-stream */
#define FG_FLOW_F_MONITOR	(1U << 5)	/* allowed by monitor mode: its
						 * rule denies (action ALLOW) */

/* Application protocols the inspector identifies from payload (fg_flow's
 * app_id; policy `app:` names). Append only: ids are stored in flows. */
#define FG_APPS(X)						\
	X(UNKNOWN,	"unknown")	/* not (yet) identified */	\
	X(HTTP,		"http")		/* HTTP/1.x */			\
	X(TLS,		"tls")						\
	X(DNS,		"dns")		/* UDP and TCP */		\
	X(SSH,		"ssh")						\
	X(MYSQL,	"mysql")					\
	X(POSTGRESQL,	"postgresql")					\
	X(REDIS,	"redis")					\
	X(MONGODB,	"mongodb")					\
	X(KAFKA,	"kafka")					\
	X(HTTP2,	"http2")	/* cleartext (h2c / prior knowledge) */ \
	X(GRPC,		"grpc")		/* HTTP/2 with application/grpc */ \
	X(SMTP,		"smtp")						\
	X(OTHER,	"other")	/* identified as none of the above */

#define FG_X_ENUM_APP(id, str) FG_APP_##id,
enum fg_app { FG_APPS(FG_X_ENUM_APP) FG_APP_MAX };

/* Inspection state of a flow (fg_flow.inspect_state): the kernel sets
 * PENDING when a rule sends the flow to the inspector, the inspector DONE
 * with its verdict. Names: `flowgate flows`. */
#define FG_INSPECT_STATES(X)					\
	X(NONE,		"none")		/* never inspected */		\
	X(PENDING,	"pending")	/* payload goes to the inspector */ \
	X(DONE,		"done")		/* the inspector decided */

#define FG_X_ENUM_INSPECT(id, str) FG_INSPECT_##id,
enum fg_inspect_state { FG_INSPECT_STATES(FG_X_ENUM_INSPECT) FG_INSPECT_MAX };

/* ------------------------------------------------------------------------ */
/* Classifier (one set per policy slot; see userspace/compile.c)            */
/* ------------------------------------------------------------------------ */

/*
 * Key of the classifier LPM trie. One trie holds every field: the first data
 * byte is the enum fg_field, so prefixlen counts 8 bits for it, then:
 *   SRC4/DST4: addr[0..3]  = IPv4 address, BE
 *   SRC6/DST6: addr[0..15] = IPv6 address, BE
 *   PORT:      addr[0]     = IP protocol number,
 *              addr[1..2]  = responder port, BE (TCP/UDP/SCTP/UDPLITE), or
 *                            ICMP/ICMPv6 type, code (first packet's),
 *              rest zero.
 * The 3 trailing bytes are never covered by a prefix and must be zero.
 */
struct fg_lpm_key {
	__u32 prefixlen;
	__u8 field;
	__u8 addr[16];
	__u8 pad[3];
};

/*
 * A class: the set of rules a field value matches, as the rule bitmap's
 * non-zero window. Bit b of word w is rule 64 * w + b; words lo..hi live at
 * pool[off .. off + hi - lo]. Words outside the window are zero. An empty
 * class has lo > hi.
 */
struct fg_class {
	__u32 off;
	__u32 lo;
	__u32 hi;
};

/* Per-rule metadata, array indexed by slot * (max_rules + 1) + rule id. */
struct fg_rule_meta {
	__u8 action;		/* enum fg_action */
	__u8 flags;		/* FG_RULE_F_* */
	__u8 inspect_dirs;	/* FG_INSPECT_DIR_*, with FG_RULE_F_INSPECT */
	__u8 pad;
	__u32 pad2;
};

/* Per-rule counters (per CPU), same index as fg_rule_meta. */
struct fg_rule_counters {
	__u64 packets;
	__u64 bytes;
};

/* Per-slot configuration, in fg_ctl. */
struct fg_slot_cfg {
	__u32 n_rules;		/* compiled rules; the default's id is n_rules */
	__u32 pool_words;
	__u64 timeout_ns[FG_STATE_MAX];	/* TCP, by state */
	__u64 udp_timeout_ns;
	__u64 icmp_timeout_ns;
	__u64 other_timeout_ns;
};

/*
 * The control block: a single-entry BPF_F_MMAPABLE array. User space writes
 * the inactive slot's tables and fg_slot_cfg, then publishes them by storing
 * a new generation with one aligned 32-bit atomic store; a packet reads
 * generation once and uses slot (generation & 1) for everything, so it never
 * sees half of a policy.
 */
struct fg_ctl {
	__u32 generation;	/* 0 = no policy loaded: fail closed */
	__u32 max_rules;	/* rule ids 0..max_rules per slot */
	__u32 event_rate;	/* events per second per CPU, 0 = none */
	__u32 event_burst;
	__u32 flags;		/* FG_CTL_F_* */
	__u32 inspector;	/* written by the inspector only: 0 = absent,
				 * else FG_INSP_BEAT(now) | FG_INSP_OVERLOAD
				 * (see "AF_XDP inspection" below) */
	__u32 insp_len_max[2];	/* written by the inspector at start: the
				 * longest frame each path to it carries,
				 * by FG_INSP_PATH_*; 0: none fits */
	struct fg_slot_cfg slot[2];
};

/* Idle timeout of a flow: the one definition for the kernel (expiry) and
 * user space (garbage collection, listings). Family 2/10, proto numbers. */
static inline __u64 fg_flow_timeout(const struct fg_slot_cfg *cfg,
				    __u8 family, __u8 proto, __u8 state)
{
	if (proto == 6) {
		switch (state) {
		case FG_STATE_ESTABLISHED:
			return cfg->timeout_ns[FG_STATE_ESTABLISHED];
		case FG_STATE_CLOSING:
		case FG_STATE_CLOSED:
			return cfg->timeout_ns[FG_STATE_CLOSING];
		default:
			return cfg->timeout_ns[FG_STATE_SYN];
		}
	}
	if (proto == 17)
		return cfg->udp_timeout_ns;
	if ((proto == 1 && family == 2) || (proto == 58 && family == 10))
		return cfg->icmp_timeout_ns;
	return cfg->other_timeout_ns;
}

#define FG_CTL_F_STRICT_TCP	(1U << 0)	/* reserved: no mid-stream pickup */
#define FG_CTL_F_INSPECT_OPEN	(1U << 1)	/* inspect_failure: open (pass
						 * inspected payload when no
						 * inspector); clear = closed */

/* ------------------------------------------------------------------------ */
/* Flows                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Normalised flow key: both directions of a connection map to one key. The
 * (addr, port) pair that compares lower (memcmp of addr, then port) is "lo".
 * IPv4 addresses sit in the first 4 bytes, the rest zero.
 * ICMP echo/info: port_lo = port_hi = identifier; other protos: ports 0.
 */
struct fg_flow_key {
	__u8 addr_lo[16];	/* BE */
	__u8 addr_hi[16];	/* BE */
	__u16 port_lo;		/* BE */
	__u16 port_hi;		/* BE */
	__u8 proto;
	__u8 family;		/* AF_INET (2) or AF_INET6 (10) */
	__u16 pad;
};

/*
 * Key of the IPv4 flow table: the same normalised tuple in 16 bytes (the
 * kernel hashes 4 words instead of 10 and compares 16 bytes per probe).
 * The family is implied by the table. User space presents these entries as
 * struct fg_flow_key with family AF_INET (datapath.c).
 */
struct fg_flow_key4 {
	__u32 addr_lo;		/* BE */
	__u32 addr_hi;		/* BE */
	__u16 port_lo;		/* BE */
	__u16 port_hi;		/* BE */
	__u8 proto;
	__u8 pad1;
	__u16 pad2;
};

struct fg_flow {
	__u64 created_ns;	/* bpf_ktime_get_coarse_ns(), CLOCK_MONOTONIC */
	__u64 last_ns;
	__u64 packets[2];	/* by enum fg_flow_dir; not atomic (fg_flow.h) */
	__u64 bytes[2];
	__u32 rule;		/* rule id that decided, valid in gen */
	__u32 gen;		/* policy generation of rule and verdict */
	__u8 action;		/* enum fg_action */
	__u8 state;		/* enum fg_flow_state */
	__u8 flags;		/* FG_FLOW_F_* */
	__u8 inspect_state;	/* enum fg_inspect_state, user space writes */
	__u16 app_id;		/* reserved: inspector's application id */
	__u8 user_verdict;	/* reserved: inspector's enum fg_action */
	__u8 pad;
	__u32 ifindex;		/* interface of the first packet */
	__u16 cls_port;		/* classifier port value of the first packet
				 * (responder port, or ICMP type << 8 | code),
				 * host order: re-classification after reload */
	__u16 pad2;
};

/* Fragmented datagrams: verdict of the first fragment for the later ones. */
struct fg_frag_key {
	__u8 src[16];		/* BE */
	__u8 dst[16];		/* BE */
	__u32 id;		/* IPv4 id (16 bits) or IPv6 fragment id, host */
	__u8 proto;
	__u8 family;
	__u16 pad;
};

struct fg_frag {
	__u64 last_ns;
	__u32 rule;
	__u32 gen;
	__u8 action;		/* enum fg_action; INSPECT: the datagram is
				 * payload the inspector cannot see whole
				 * (fg_insp_frag), its fragments are dropped */
	__u8 pad[7];
};

/* ------------------------------------------------------------------------ */
/* Counters and events                                                      */
/* ------------------------------------------------------------------------ */

struct fg_counters {
	__u64 verdict[FG_VERDICT_MAX];
	__u64 drop[FG_DROP_MAX];
	__u64 cnt[FG_CNT_MAX];
};

struct fg_iface_counters {
	__u64 packets[2];	/* by enum fg_hook_dir */
	__u64 bytes[2];
	__u64 dropped[2];
};

/* Per-CPU token bucket for events. */
struct fg_ratelimit {
	__u64 last_ns;
	__u64 tokens;
};

struct fg_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns(), CLOCK_MONOTONIC */
	__u32 ifindex;
	__u32 rule;		/* rule id in gen, or ~0 */
	__u32 gen;
	__u8 type;		/* enum fg_event_type */
	__u8 hook;		/* enum fg_hook_dir */
	__u8 family;		/* 0 if the packet was not IP */
	__u8 proto;
	__u8 action;		/* enum fg_action */
	__u8 reason;		/* enum fg_drop_reason */
	__u16 sport;		/* BE */
	__u16 dport;		/* BE */
	__u8 flags;		/* FG_EV_F_* */
	__u8 pad;
	__u8 src[16];		/* BE */
	__u8 dst[16];		/* BE */
};

/* ------------------------------------------------------------------------ */
/* AF_XDP inspection (docs/inspector-datapath.md)                           */
/* ------------------------------------------------------------------------ */

/*
 * XSKMAP key of (interface slot, rx queue): slot * FG_XSK_QMAX + queue. The
 * capture veth's peer (TC-hook payload, see below) uses the keys from
 * FG_XSK_CAPTURE_BASE on. Interface slots are fg_iface_idx's (counters).
 */
#define FG_XSK_QMAX		16
#define FG_XSK_CAPTURE_BASE	(FG_MAX_IFACES * FG_XSK_QMAX)
#define FG_XSK_ENTRIES		(FG_XSK_CAPTURE_BASE + FG_XSK_QMAX)

/* fg_insp_ifaces index of the capture veth (TC hooks redirect payload of
 * inspected flows to it); indexes 0..FG_MAX_IFACES-1 map an interface slot
 * back to its ifindex for re-injection. */
#define FG_INSP_CAPTURE_IDX	FG_MAX_IFACES

/*
 * In-band tag between the kernel and the inspector: an 802.1Q header whose
 * VID is FG_INSP_VID(slot, hook) (never 0, which means "priority tag").
 * The TC hooks push it in front of a captured frame; the inspector puts it
 * in front of every frame it re-injects.
 */
#define FG_INSP_VID(slot, hook)	(1 + (slot) * 2 + (hook))
#define FG_INSP_VID_SLOT(vid)	(((vid) - 1) >> 1)
#define FG_INSP_VID_HOOK(vid)	(((vid) - 1) & 1)

/*
 * fg_ctl.insp_len_max index: the way a hook hands a frame to the inspector.
 * XSK: XDP redirect into an AF_XDP socket; the limit is the frame's length
 * from its Ethernet header (what the UMEM frame holds after copy mode's
 * headroom). CAPTURE: TC hooks via the capture veth; the limit is the skb's
 * length from its Ethernet header before our tag, or for a GSO skb the
 * length of each segment (the capture veth has no GSO, so the stack cuts
 * the skb into gso_size pieces on the way). Longer frames meet
 * inspect_failure with reason inspect_oversize (fg_insp_finish()).
 */
#define FG_INSP_PATH_XSK	0
#define FG_INSP_PATH_CAPTURE	1

/* skb->mark bit of a re-injected frame: flowgate's TC hooks pass it
 * untouched instead of inspecting it again. */
#define FG_MARK_REINJECTED	0x00f10000U

/*
 * fg_ctl.inspector: the inspector's heartbeat. It stores
 * FG_INSP_BEAT(CLOCK_MONOTONIC ns) (never 0) at least every
 * FG_INSP_BEAT_PERIOD_MS, with FG_INSP_OVERLOAD set while its rings are
 * full; 0 when it stops. The kernel counts it absent when the beat is
 * older than FG_INSP_BEAT_TIMEOUT units (a killed inspector).
 */
#define FG_INSP_BEAT_SHIFT	24		/* units of ~16.8 ms */
#define FG_INSP_BEAT(ns)	((__u32)(((ns) >> FG_INSP_BEAT_SHIFT) << 1) | 2U)
#define FG_INSP_OVERLOAD	1U
#define FG_INSP_BEAT_PERIOD_MS	100
#define FG_INSP_BEAT_TIMEOUT	60		/* ~1 s */

/*
 * XDP metadata in front of each frame handed to an XSK: when the kernel
 * first saw it, for the inspector's time-to-verdict figures. The magic
 * tells the reader the metadata is there (the XSK does not say).
 */
struct fg_insp_meta {
	__u64 magic;		/* FG_INSP_META_MAGIC */
	__u64 ts_ns;		/* bpf_ktime_get_ns(), CLOCK_MONOTONIC */
};
#define FG_INSP_META_MAGIC	0x666c6f7767617465ULL	/* "flowgate" */

/* Fixed handle/priority of our TC filters, so `detach` finds leftovers. */
#define FG_TC_HANDLE	0xf1a7
#define FG_TC_PRIORITY	0xf1a

#define FG_BPF_PROG_XDP		"fg_xdp"	/* program names, for detach */
#define FG_BPF_PROG_TC_IN	"fg_tc_ingress"
#define FG_BPF_PROG_TC_OUT	"fg_tc_egress"
#define FG_BPF_PROG_CAPTURE	"fg_insp_capture"	/* XDP, capture peer */
#define FG_BPF_PROG_REINJECT	"fg_insp_reinject"	/* TC, reinject peer */

#define FG_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), #type " layout changed")

FG_ASSERT_SIZE(fg_lpm_key, 24);
FG_ASSERT_SIZE(fg_class, 12);
FG_ASSERT_SIZE(fg_rule_meta, 8);
FG_ASSERT_SIZE(fg_rule_counters, 16);
FG_ASSERT_SIZE(fg_slot_cfg, 8 + 8 * FG_STATE_MAX + 24);
FG_ASSERT_SIZE(fg_ctl, 32 + 2 * sizeof(struct fg_slot_cfg));
FG_ASSERT_SIZE(fg_flow_key, 40);
FG_ASSERT_SIZE(fg_flow_key4, 16);
FG_ASSERT_SIZE(fg_flow, 72);
FG_ASSERT_SIZE(fg_frag_key, 40);
FG_ASSERT_SIZE(fg_frag, 24);
FG_ASSERT_SIZE(fg_iface_counters, 48);
FG_ASSERT_SIZE(fg_ratelimit, 16);
FG_ASSERT_SIZE(fg_event, 64);
FG_ASSERT_SIZE(fg_insp_meta, 16);

#endif /* FLOWGATE_H */
