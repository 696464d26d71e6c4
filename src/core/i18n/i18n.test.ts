import { describe, expect, it } from 'vitest';
import { fullWidthZh, L } from '.';

describe('zh-CN punctuation in core texts', () => {
  it.each([
    ['经过 NAT、代理时,服务器看到的源 IP 不同;规则必须授权实际的出口 IP。', '经过 NAT、代理时，服务器看到的源 IP 不同；规则必须授权实际的出口 IP。'],
    ['ping 通(12 ms);端口是否通以 TCP 结果为准', 'ping 通（12 ms）；端口是否通以 TCP 结果为准'],
    ['EIP 1.2.3.4(eip-xxx)状态 InUse,绑定在 i-1', 'EIP 1.2.3.4（eip-xxx）状态 InUse，绑定在 i-1'],
    ['只监听 127.0.0.1:把监听地址改为 0.0.0.0(或实例的内网地址)后重启', '只监听 127.0.0.1：把监听地址改为 0.0.0.0（或实例的内网地址）后重启'],
  ])('%s', (zh, want) => expect(fullWidthZh(zh)).toBe(want));

  it.each(['nginx 的 listen 80;、MySQL 的 bind-address = 0.0.0.0', '确认 sshd 监听 0.0.0.0:22', 'func(x) 调用', 'ecs:Describe*、vpc:Describe*', 'plain English (a, b; c: d)'])('leaves code-like text alone: %s', (s) => expect(fullWidthZh(s)).toBe(s));

  it('L applies it to the Chinese text only', () => {
    expect(L('完成,下一步', 'done, next')).toEqual({ 'zh-CN': '完成，下一步', en: 'done, next' });
  });
});
