#pragma once
// The numeric replies the IRC adapter sends, written once (modern.ircdocs.horse numerics and
// the IRCv3 SASL ones).

#include <string_view>

namespace swarmhub::tracker::irc::numeric {

inline constexpr std::string_view welcome = "001";
inline constexpr std::string_view your_host = "002";
inline constexpr std::string_view created = "003";
inline constexpr std::string_view my_info = "004";
inline constexpr std::string_view isupport = "005";
inline constexpr std::string_view umode_is = "221";
inline constexpr std::string_view away = "301";
inline constexpr std::string_view unaway = "305";
inline constexpr std::string_view now_away = "306";
inline constexpr std::string_view whois_user = "311";
inline constexpr std::string_view end_of_who = "315";
inline constexpr std::string_view end_of_whois = "318";
inline constexpr std::string_view list_start = "321";
inline constexpr std::string_view list = "322";
inline constexpr std::string_view list_end = "323";
inline constexpr std::string_view channel_mode_is = "324";
inline constexpr std::string_view no_topic = "331";
inline constexpr std::string_view who_reply = "352";
inline constexpr std::string_view name_reply = "353";
inline constexpr std::string_view end_of_names = "366";
inline constexpr std::string_view end_of_ban_list = "368";
inline constexpr std::string_view no_motd = "422";
inline constexpr std::string_view no_such_nick = "401";
inline constexpr std::string_view no_such_channel = "403";
inline constexpr std::string_view cannot_send_to_chan = "404";
inline constexpr std::string_view invalid_cap_cmd = "410";
inline constexpr std::string_view no_recipient = "411";
inline constexpr std::string_view no_text_to_send = "412";
inline constexpr std::string_view input_too_long = "417";
inline constexpr std::string_view unknown_command = "421";
inline constexpr std::string_view no_nickname_given = "431";
inline constexpr std::string_view erroneous_nickname = "432";
inline constexpr std::string_view nickname_in_use = "433";
inline constexpr std::string_view not_on_channel = "442";
inline constexpr std::string_view not_registered = "451";
inline constexpr std::string_view need_more_params = "461";
inline constexpr std::string_view already_registered = "462";
inline constexpr std::string_view password_mismatch = "464";
inline constexpr std::string_view invite_only_chan = "473";
inline constexpr std::string_view logged_in = "900";
inline constexpr std::string_view sasl_success = "903";
inline constexpr std::string_view sasl_fail = "904";
inline constexpr std::string_view sasl_too_long = "905";
inline constexpr std::string_view sasl_aborted = "906";
inline constexpr std::string_view sasl_already = "907";
inline constexpr std::string_view sasl_mechs = "908";

}  // namespace swarmhub::tracker::irc::numeric
