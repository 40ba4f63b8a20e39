#pragma once
// DingTalk's HTTP-callback URL (protocols.md §3.2) wired to the inbound handler. Verification
// first: nothing is parsed before the `timestamp`/`sign` headers pass. The signature does not
// cover the body, so the pair is bound to the message it came with (a replay with another body
// is refused) and msgId dedup stops the same message applying twice (§3.2).
//
// Card taps (cards research §B): POST /dingtalk/card takes DingTalk's card callbacks (HTTP
// callbackType), verified by x-ddpaas-signature over the timestamp with dingtalk.card_api_secret
// (none configured: 401); handle_card_tap then checks the button's capability token
// (adapters/dingtalk/card.h) and runs the tap as the command a person would type.
// Thread safety: the handlers are safe for concurrent use.

#include <functional>
#include <string>

#include "adapters/dingtalk/card.h"
#include "bot/ops/daemon_metrics.h"
#include "bot/net/http_server.h"
#include "bot/pipeline/inbound_handler.h"
#include "bot/platforms/dingtalk/dingtalk_out.h"
#include "config/config.h"
#include "core/clock.h"

namespace bot {

// What became of one card tap: the card update to answer with (HTTP body, or the Stream ack's
// response), or `failed` (the store could not apply it: HTTP 5xx, Stream not acknowledged).
struct CardTapAnswer {
    adapters::dingtalk::CardAnswer card;
    RequestOutcome outcome = RequestOutcome::ok;
    bool failed = false;
};

// A tap whose transport is verified (the HTTP signature, or the Stream connection). Refused,
// with nothing changed and the reason logged, when the token is missing, forged, tampered or
// expired, names another card (outTrackId) or another chat (the Stream's spaceId), or was used
// (its nonce is the inbound de-duplication key "card-tk:<nonce>", so a double tap applies once):
// the tapper alone sees "无效或已使用的按钮". Otherwise an InboundMessage with the tap's command,
// sender = the callback's userId, chat = the token's: the same permission check as typed text.
// A change shows on the card for everyone (status, statusText = the reply); an answer that
// changed nothing (a refusal, a prompt, a link) only to the tapper. `signature` ("ts:sig") and
// `signature_expires_at` bind an HTTP callback's signature to this tap ("" over the Stream).
CardTapAnswer handle_card_tap(const adapters::dingtalk::CardCallback& tap, const config::DingtalkConfig& settings,
                              InboundHandler& inbound, const core::Clock& clock, const std::string& signature = "",
                              long long signature_expires_at = 0);

// Registers POST /dingtalk/events and POST /dingtalk/card. `wake` tells the outbox worker that a message was queued.
// Each request is counted in `metrics` when set.
void add_dingtalk_routes(HttpServer& server, const config::DingtalkConfig& settings,
                         InboundHandler& inbound, const core::Clock& clock,
                         std::function<void()> wake, DaemonMetrics* metrics = nullptr);

}  // namespace bot
