/** The webhook channels by kind (design.md §7): the dispatcher picks one per webhook. */
import type { WebhookKind } from '../../alerts/sla.config.ts';
import type { Channel } from './channel.types.ts';
import { dingtalkChannel } from './dingtalk.channel.ts';
import { feishuChannel } from './feishu.channel.ts';
import { genericChannel } from './generic.channel.ts';
import { wecomChannel } from './wecom.channel.ts';

const CHANNELS: Readonly<Record<WebhookKind, Channel>> = {
  generic: genericChannel,
  wecom: wecomChannel,
  dingtalk: dingtalkChannel,
  feishu: feishuChannel,
};

export function channelFor(kind: WebhookKind): Channel {
  return CHANNELS[kind];
}

export type { Channel, ChannelOutcome, ChannelRequest, Directory, Person } from './channel.types.ts';
export { buildMessage, type AlertMessage } from './message-text.ts';
