// The panel's four views (visitor, guest, member, excluded) built as DOM nodes. Every value from the
// API goes in as a text node inside <bdi> (text only, isolated for direction), never as markup.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return element;
}

/** API text: a text node in a <bdi> (its direction decided by its own characters). */
export const text = (value) => h("bdi", {}, String(value ?? ""));

/** A template of the string table with its {names} filled: strings stay text, nodes stay nodes. */
export function fill(template, values = {}) {
  return template.split(/(\{[a-z]+\})/).map((part) => {
    const match = /^\{([a-z]+)\}$/.exec(part);
    return match && match[1] in values ? values[match[1]] : part;
  });
}

export class Views {
  constructor(strings, lang) {
    this.s = strings;
    this.lang = lang;
    this.number = new Intl.NumberFormat(lang);
    this.day = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" });
    this.shortDay = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" });
  }

  points(n, signed = false) {
    const sign = n < 0 ? "\u2212" : signed ? "+" : "";
    const template = Math.abs(n) === 1 ? this.s.pointsOne : this.s.pointsOther;
    return fill(template, { n: sign + this.number.format(Math.abs(n)) }).join("");
  }

  date(text, format = this.day) {
    const moment = new Date(text);
    return Number.isNaN(moment.getTime()) ? String(text) : format.format(moment);
  }

  money(currency) {
    try {
      return new Intl.NumberFormat(this.lang, { style: "currency", currency, minimumFractionDigits: 0 }).format(1);
    } catch {
      return `1 ${currency}`;
    }
  }

  error(kind) {
    return h("p", { class: "error", role: "alert" }, this.s.errors[kind] || this.s.errors.unknown);
  }

  /** How points are earned, the rewards and their costs, the tiers: what every view may show. */
  program(program, rewardItem) {
    const s = this.s;
    const rate = Number(program.points_per_currency_unit);
    const earning = h("section", {}, h("h3", {}, s.howToEarn));
    const points = this.points(rate);
    earning.append(
      h("p", {}, ...(program.currency ? fill(s.earnRate, { points, money: text(this.money(program.currency)) }) : fill(s.earnRatePlain, { points }))),
    );
    const ways = (program.ways_to_earn || []).filter((way) => way.kind in s.ways).map((way) => h("li", { "data-way": way.kind }, ...this.way(way)));
    if (ways.length) earning.append(h("ul", { class: "ways" }, ways));
    if (program.pending_days > 0) earning.append(h("p", { class: "muted" }, s.pendingNote.replace("{days}", this.number.format(program.pending_days))));
    // A campaign ends at ends_at (excluded): its last day is the one just before.
    const campaigns = (program.campaigns || []).map((campaign) =>
      h("li", { "data-campaign": "" }, ...fill(s.campaign, { name: text(campaign.name), times: this.number.format(Number(campaign.multiplier)), when: this.date(new Date(new Date(campaign.ends_at).getTime() - 1)) })),
    );
    const rewards = (program.rewards || []).map(rewardItem);
    const tiers = (program.tiers || []).map((tier) =>
      h("li", { class: "reward" }, h("span", { class: "about" }, h("span", { class: "name" }, text(tier.name ?? tier.id)), h("span", { class: "cost" }, ...fill(s.tierFrom, { points: this.points(tier.threshold) })))),
    );
    return [
      earning,
      campaigns.length ? h("section", {}, h("h3", {}, s.campaigns), h("ul", {}, campaigns)) : null,
      h("section", {}, h("h3", {}, s.rewards), rewards.length ? h("ul", {}, rewards) : h("p", { class: "muted" }, s.noRewards)),
      tiers.length ? h("section", {}, h("h3", {}, s.tiers), h("ul", {}, tiers)) : null,
    ];
  }

  /** A way to earn in words: what it pays, and an action's limits. */
  way(way) {
    const s = this.s;
    const words = fill(s.ways[way.kind], { name: text(way.name ?? way.id), points: this.points(way.points) });
    const limits = [];
    if (way.per_customer === 1) limits.push(s.limits.once);
    else if (way.per_customer) limits.push(fill(s.limits.times, { n: this.number.format(way.per_customer) }).join(""));
    if (way.per_day) limits.push(fill(s.limits.daily, { n: this.number.format(way.per_day) }).join(""));
    return limits.length ? [...words, h("span", { class: "muted" }, ` (${limits.join(", ")})`)] : words;
  }

  rewardLine(reward, action = null) {
    const about = h("span", { class: "about" }, h("span", { class: "name" }, text(reward.name)), h("span", { class: "cost" }, this.points(reward.points)));
    return h("li", { class: "reward" }, about, action);
  }

  links(program) {
    const s = this.s;
    return h(
      "p",
      { class: "actions" },
      program.signup_url ? h("a", { class: "button", href: program.signup_url }, s.join) : null,
      program.login_url ? h("a", { class: "button quiet", href: program.login_url }, s.signIn) : null,
    );
  }

  visitor(program) {
    return [h("section", {}, h("p", { class: "lead" }, this.s.visitorLine), this.links(program)), ...this.program(program, (reward) => this.rewardLine(reward))];
  }

  guest(program, account) {
    const waiting = this.points(account.points.balance);
    return [
      h("section", {}, h("p", { class: "lead" }, ...fill(this.s.guestLine, { points: waiting })), this.links(program)),
      ...this.program(program, (reward) => this.rewardLine(reward)),
    ];
  }

  excluded() {
    return [h("section", {}, h("p", { class: "lead" }, this.s.excludedLine))];
  }

  /** The member: balance, pending, tier, expiry, rewards to redeem, the new coupon, coupons, history. */
  member(program, account, coupons, history, { redeem, copy, busy, fresh, problem }) {
    const s = this.s;
    const balance = account ? account.points.balance : 0;
    const facts = h("section", {}, h("h3", {}, s.balance), h("p", { class: "balance" }, this.points(balance)));
    if (!account) facts.append(h("p", { class: "muted" }, s.noAccountYet));
    const pending = account?.points?.pending;
    if (pending) {
      const when = account.pending_release_at ? this.date(account.pending_release_at) : null;
      facts.append(h("p", {}, ...fill(when ? s.pending : s.pendingUndated, { points: this.points(pending), when })));
    }
    if (account?.tier) facts.append(h("p", {}, ...fill(s.tier, { tier: text(account.tier.name ?? account.tier.id) })));
    if (account?.next_tier) {
      const next = account.next_tier;
      const toNext = h("p", { class: "muted" }, ...fill(s.toNextTier, { points: this.points(next.points_needed), tier: text(next.name ?? next.id) }));
      // The bar is the sentence above drawn: qualifying points out of the next tier's threshold.
      const done = Math.max(0, next.threshold - next.points_needed);
      facts.append(toNext, h("progress", { class: "tier-progress", max: String(next.threshold), value: String(done), "aria-hidden": "true" }));
    }
    if (account?.points_expire_at) facts.append(h("p", { class: "muted" }, ...fill(s.expires, { when: this.date(account.points_expire_at) })));
    const canRedeem = Boolean(account?.can_redeem);
    const rewardItem = (reward) => {
      if (!canRedeem) return this.rewardLine(reward);
      if (reward.points > balance) return this.rewardLine(reward, h("span", { class: "muted need" }, ...fill(s.needMore, { points: this.points(reward.points - balance) })));
      const pressed = busy === reward.id;
      const button = h("button", { type: "button", "data-reward": reward.id, disabled: Boolean(busy), onclick: () => redeem(reward) }, pressed ? s.redeeming : s.redeem);
      return this.rewardLine(reward, button);
    };
    const parts = [facts];
    if (problem) parts.push(this.error(problem));
    if (fresh) parts.push(h("section", { class: "coupon", "aria-live": "polite" }, h("h3", {}, s.couponTitle), this.couponRow(fresh, copy, program), h("p", { class: "muted" }, s.couponHint)));
    const programParts = this.program(program, rewardItem);
    parts.push(...programParts);
    const issued = coupons.filter((coupon) => coupon.status === "issued");
    parts.push(
      h("section", {}, h("h3", {}, s.yourRewards), issued.length ? h("ul", {}, issued.map((coupon) => h("li", { class: "coupon" }, this.couponRow(coupon, copy, program)))) : h("p", { class: "muted" }, s.noCoupons)),
      h("section", {}, h("h3", {}, s.history), history.length ? h("ul", {}, history.slice(0, 10).map((entry) => this.historyLine(entry, program))) : h("p", { class: "muted" }, s.noHistory)),
    );
    return parts;
  }

  couponRow(coupon, copy, program) {
    const reward = (program.rewards || []).find((item) => item.id === coupon.reward_id);
    const button = h("button", { type: "button", class: "quiet", "data-copy": coupon.code }, this.s.copy);
    button.addEventListener("click", () => copy(coupon.code, button));
    return h("div", { class: "row" }, h("span", {}, reward ? h("span", { class: "name" }, text(reward.name), " ") : null, h("code", { class: "code" }, text(coupon.code))), button);
  }

  historyLine(entry, program) {
    const lines = this.s.lines;
    const order = entry.order_id;
    const needsOrder = ["earn", "pending", "release", "cancel", "reverse"].includes(entry.type);
    // A bonus from a way to earn says which: an action by its name, the others by their kind.
    const way = entry.way ? (program.ways_to_earn || []).find((item) => item.id === entry.way) : null;
    const label = way ? (way.kind === "action" ? way.name : this.s.wayLabels[way.kind]) : null;
    const template = label ? lines.way : needsOrder && !order ? lines.other : lines[entry.type] || lines.other;
    const words = fill(template, { points: this.points(entry.points, true), order: order ? text(order) : "", way: text(label) });
    return h("li", { class: "line" }, h("span", {}, ...words), h("time", { datetime: entry.created_at }, this.date(entry.created_at, this.shortDay)));
  }
}
