// A compact, curated emoji set (no vendored data set needed) and the picker built on it.

import { el } from "./dom.js";

const GROUPS = {
  Smileys: "😀 grinning,😃 smiley,😄 smile,😁 grin,😆 laughing,😅 sweat smile,😂 joy tears,🤣 rofl,😊 blush,😇 innocent,🙂 slight smile,😉 wink,😌 relieved,😍 heart eyes,🥰 love,😘 kiss,😋 yum,😛 tongue,😜 wink tongue,🤪 zany,🤗 hug,🤔 thinking,🤨 raised eyebrow,😐 neutral,😑 expressionless,😶 no mouth,🙄 eye roll,😏 smirk,😬 grimace,😴 sleeping,😷 mask,🤒 ill,🤯 mind blown,🥳 party,😎 cool,🤓 nerd,😕 confused,😟 worried,🙁 frown,😮 open mouth,😲 astonished,😳 flushed,🥺 pleading,😢 cry,😭 sob,😱 scream,😤 triumph,😡 angry,😠 mad,🤬 cursing,😈 devil,💩 poo,🤡 clown,👻 ghost,🤖 robot",
  Gestures: "👍 thumbs up,👎 thumbs down,👌 ok,✌️ victory,🤞 fingers crossed,🤝 handshake,👏 clap,🙌 raised hands,👐 open hands,🙏 pray thanks,👋 wave,✋ hand,💪 muscle,👀 eyes,👉 point right,👈 point left,👆 point up,👇 point down,☝️ index up,✍️ writing",
  Hearts: "❤️ red heart,🧡 orange heart,💛 yellow heart,💚 green heart,💙 blue heart,💜 purple heart,🖤 black heart,🤍 white heart,💔 broken heart,💕 two hearts,💯 hundred,✨ sparkles,⭐ star,🔥 fire,🎉 tada party,🎊 confetti,🎁 gift,🏆 trophy,✅ check,❌ cross,⚠️ warning,❓ question,❗ exclamation,💬 speech",
  Objects: "📞 phone,📱 mobile,💻 laptop,📧 email,📦 package,🚚 delivery truck,🛒 cart,💳 card,💰 money,🧾 receipt,📅 calendar,⏰ alarm,⌛ hourglass,🔒 lock,🔑 key,📍 pin location,🏠 home,🏢 office,✈️ plane,🚗 car,☕ coffee,🍕 pizza,🎂 cake,🌞 sun,🌧️ rain,🌈 rainbow",
};

export const EMOJI = Object.entries(GROUPS).flatMap(([group, list]) =>
  list.split(",").map((item) => {
    const [char, ...words] = item.split(" ");
    return { char, name: words.join(" "), group };
  }),
);

export const QUICK_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

// A searchable grid; `onPick(char)` is called with the chosen emoji.
export function emojiPicker(onPick, label = "Emoji") {
  const search = el("input", { type: "search", class: "dk-emoji-search", placeholder: "Search emoji", "aria-label": "Search emoji" });
  const grid = el("div", { class: "dk-emoji-grid", role: "listbox", "aria-label": label });
  const render = () => {
    const words = search.value.trim().toLowerCase();
    grid.replaceChildren(
      ...EMOJI.filter((e) => !words || e.name.includes(words)).map((e) =>
        el("button", {
          type: "button",
          class: "dk-emoji",
          role: "option",
          title: e.name,
          "aria-label": e.name,
          "data-emoji": e.char,
          text: e.char,
          onclick: () => onPick(e.char),
        }),
      ),
    );
  };
  search.addEventListener("input", render);
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      grid.querySelector("button")?.click();
    }
  });
  render();
  return el("div", { class: "dk-emoji-picker", "data-testid": "emoji-picker" }, search, grid);
}
