<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>DesktopAlerts</name>
    <message>
        <source>%1: rolled back</source>
        <translation>%1：已回滚</translation>
    </message>
    <message>
        <source>%1: paused, needs you</source>
        <translation>%1：已暂停，需要您处理</translation>
    </message>
    <message>
        <source>%1: failed</source>
        <translation>%1：失败</translation>
    </message>
    <message>
        <source>%1: promoted</source>
        <translation>%1：已全量发布</translation>
    </message>
</context>
<context>
    <name>Switchboard::AuditLogDialog</name>
    <message>
        <source>Audit log · %1</source>
        <translation>审计日志 · %1</translation>
    </message>
    <message>
        <source>filter text</source>
        <translation>筛选文本</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>target:</source>
        <translation>目标：</translation>
    </message>
    <message>
        <source>action:</source>
        <translation>操作：</translation>
    </message>
    <message>
        <source>Export audit entries</source>
        <translation>导出审计条目</translation>
    </message>
    <message>
        <source>exported %1 entries to %2</source>
        <translation>已导出 %1 条记录到 %2</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>%1 of %2 entries</source>
        <translation>%1 / %2 条记录</translation>
    </message>
    <message>
        <source>%1 of %2 entries; %3 unreadable lines are shown as such</source>
        <translation>%1 / %2 条记录；%3 行无法读取，按原样显示</translation>
    </message>
    <message>
        <source>reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
</context>
<context>
    <name>Switchboard::AuditLogModel</name>
    <message>
        <source>time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>user</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>before</source>
        <translation>变更前</translation>
    </message>
    <message>
        <source>after</source>
        <translation>变更后</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>result</source>
        <translation>结果</translation>
    </message>
</context>
<context>
    <name>Switchboard::ChartWidget</name>
    <message>
        <source>no data in this window yet</source>
        <translation>此时间窗口内尚无数据</translation>
    </message>
</context>
<context>
    <name>Switchboard::ConfirmBarWidget</name>
    <message>
        <source>Confirm (Enter)</source>
        <translation>确认（Enter）</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消（Esc）</translation>
    </message>
</context>
<context>
    <name>Switchboard::DeployActionWidget</name>
    <message>
        <source>Deploy new version…</source>
        <translation>部署新版本…</translation>
    </message>
    <message>
        <source>new version runs %1 (container %2)</source>
        <translation>新版本运行 %1（容器 %2）</translation>
    </message>
    <message>
        <source>a deploy is under way</source>
        <translation>正在部署</translation>
    </message>
    <message>
        <source>Set the new version&apos;s image and follow its pods to Ready</source>
        <translation>设置新版本的镜像，并跟踪其 Pod 直到就绪</translation>
    </message>
    <message>
        <source>Deploy new version</source>
        <translation>部署新版本</translation>
    </message>
    <message>
        <source>Image for container %1:</source>
        <translation>容器 %1 的镜像：</translation>
    </message>
    <message>
        <source>Deploy new version?</source>
        <translation>部署新版本？</translation>
    </message>
    <message>
        <source>%1: %2 → %3</source>
        <translation>%1：%2 → %3</translation>
    </message>
    <message>
        <source>operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>deployed: %1</source>
        <translation>已部署：%1</translation>
    </message>
    <message>
        <source>deploy %1: %2</source>
        <translation>部署%1：%2</translation>
    </message>
</context>
<context>
    <name>Switchboard::DisplayNames</name>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>已断开</translation>
    </message>
    <message>
        <source>applied</source>
        <translation>已应用</translation>
    </message>
    <message>
        <source>conflict</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>partial</source>
        <translation>部分应用</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>analysing</source>
        <translation>分析中</translation>
    </message>
    <message>
        <source>rolling back</source>
        <translation>回滚中</translation>
    </message>
    <message>
        <source>rolled back</source>
        <translation>已回滚</translation>
    </message>
    <message>
        <source>promoted</source>
        <translation>已全量</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>progressing</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>degraded</source>
        <translation>降级</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>无数据</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>unfinished</source>
        <translation>未结束</translation>
    </message>
    <message>
        <source>%1 passes</source>
        <translation>%1 通过</translation>
    </message>
    <message>
        <source>%1 failed: canary %2, limit %3</source>
        <translation>%1 未通过：金丝雀 %2，上限 %3</translation>
    </message>
    <message>
        <source>%1 failed: canary worse than stable</source>
        <translation>%1 未通过：金丝雀比稳定版差</translation>
    </message>
    <message>
        <source>%1 breached: %2 of %3 in a row fail it</source>
        <translation>%1 越线：连续 %3 次即判定未通过，已 %2 次</translation>
    </message>
    <message>
        <source>%1: too few canary requests to judge (%2 so far)</source>
        <translation>%1：金丝雀请求太少，无法判定（目前 %2 个）</translation>
    </message>
    <message>
        <source>%1: too few canary requests to judge</source>
        <translation>%1：金丝雀请求太少，无法判定</translation>
    </message>
    <message>
        <source>%1: no data</source>
        <translation>%1：无数据</translation>
    </message>
    <message>
        <source>no data yet</source>
        <translation>尚无数据</translation>
    </message>
    <message>
        <source>metrics: %1</source>
        <translation>指标：%1</translation>
    </message>
    <message>
        <source>the newest health sample is older than %1</source>
        <translation>最新的健康样本已超过 %1</translation>
    </message>
    <message>
        <source>no health data yet</source>
        <translation>尚无健康数据</translation>
    </message>
    <message>
        <source>no reading judged yet</source>
        <translation>尚未判定任何读数</translation>
    </message>
    <message numerus="yes">
        <source>%n gate(s) pass</source>
        <translation>
            <numerusform>%n 个门控通过</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Switchboard::EventLogModel</name>
    <message>
        <source>, … and %1 more</source>
        <translation>，…… 另有 %1 个</translation>
    </message>
    <message>
        <source>%1 targets connected: %2</source>
        <translation>%1 个目标已连接：%2</translation>
    </message>
</context>
<context>
    <name>Switchboard::FleetGroupModel</name>
    <message>
        <source>(no group)</source>
        <translation>（无分组）</translation>
    </message>
    <message>
        <source>1 target</source>
        <translation>1 个目标</translation>
    </message>
    <message>
        <source>%1 targets</source>
        <translation>%1 个目标</translation>
    </message>
    <message>
        <source>%1 · %2, %3 need someone</source>
        <translation>%1 · %2，%3 个需要处理</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
</context>
<context>
    <name>Switchboard::FleetTableModel</name>
    <message>
        <source>disconnected: %1</source>
        <translation>已断开：%1</translation>
    </message>
    <message>
        <source>paused: %1</source>
        <translation>已暂停：%1</translation>
    </message>
    <message>
        <source>rolled back: %1</source>
        <translation>已回滚：%1</translation>
    </message>
    <message>
        <source>rollout failed: %1</source>
        <translation>发布失败：%1</translation>
    </message>
    <message>
        <source>failing: %1</source>
        <translation>失败中：%1</translation>
    </message>
    <message>
        <source>stale: no data yet</source>
        <translation>已过时：尚无数据</translation>
    </message>
    <message>
        <source>stale: data %1 s old</source>
        <translation>已过时：数据已有 %1 秒</translation>
    </message>
    <message>
        <source>stale: no fresh health data</source>
        <translation>已过时：没有最新的健康数据</translation>
    </message>
    <message>
        <source>stale: %1</source>
        <translation>已过时：%1</translation>
    </message>
    <message>
        <source>no metrics</source>
        <translation>无指标</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>无数据</translation>
    </message>
    <message>
        <source>err %1 / %2 · p99 %3 / %4 ms</source>
        <translation>错误 %1 / %2 · p99 %3 / %4 ms</translation>
    </message>
    <message>
        <source>done (%1)</source>
        <translation>已完成（%1）</translation>
    </message>
    <message>
        <source>%1/%2 %3</source>
        <translation>%1/%2 %3</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 %2 · %3 %4</source>
        <translation>%1 %2 · %3 %4</translation>
    </message>
    <message>
        <source>error ratio and p99: canary / stable</source>
        <translation>错误率和 p99：金丝雀 / 稳定版</translation>
    </message>
    <message>
        <source>canary share: set / measured</source>
        <translation>金丝雀占比：设定 / 实测</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>Canary set / measured</source>
        <translation>金丝雀 设定 / 实测</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>剩余</translation>
    </message>
    <message>
        <source>Data age</source>
        <translation>数据时效</translation>
    </message>
    <message>
        <source>Last action · who</source>
        <translation>最近操作 · 操作人</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>watch</source>
        <translation>观察</translation>
    </message>
    <message>
        <source>failing</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>progressing</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>degraded</source>
        <translation>降级</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>已断开</translation>
    </message>
    <message>
        <source>you</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Lease</source>
        <translation>租约</translation>
    </message>
</context>
<context>
    <name>Switchboard::FleetViewWidget</name>
    <message>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Urgent first</source>
        <translation>紧急优先</translation>
    </message>
    <message>
        <source>Find a target (Ctrl+F)</source>
        <translation>查找目标（Ctrl+F）</translation>
    </message>
    <message>
        <source>Show only targets in this state</source>
        <translation>只显示处于此状态的目标</translation>
    </message>
    <message>
        <source>Show only targets of this kind</source>
        <translation>只显示此类型的目标</translation>
    </message>
    <message>
        <source>Group by targets.json &quot;group&quot; (a team, an environment)</source>
        <translation>按 targets.json 的 &quot;group&quot; 分组（团队或环境）</translation>
    </message>
    <message>
        <source>Failing, paused, disconnected and stale targets come first</source>
        <translation>失败、暂停、断开和数据过时的目标排在前面</translation>
    </message>
    <message>
        <source>Roll back…</source>
        <translation>回滚…</translation>
    </message>
    <message>
        <source>Roll the selected target back to 100% stable, after confirming (Ctrl+Alt+R)</source>
        <translation>确认后将所选目标回滚到 100% 稳定版（Ctrl+Alt+R）</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>所有状态</translation>
    </message>
    <message>
        <source>Needing someone</source>
        <translation>需要处理</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>所有类型</translation>
    </message>
    <message>
        <source>Select a target to roll back</source>
        <translation>选择要回滚的目标</translation>
    </message>
    <message>
        <source>%1 is read-only: %2</source>
        <translation>%1 是只读的：%2</translation>
    </message>
    <message>
        <source>canary %1%</source>
        <translation>金丝雀 %1%</translation>
    </message>
    <message>
        <source>canary unknown</source>
        <translation>金丝雀 未知</translation>
    </message>
    <message>
        <source>Roll back %1?</source>
        <translation>回滚 %1？</translation>
    </message>
    <message>
        <source>%1 → canary 0% (100% stable)</source>
        <translation>%1 → 金丝雀 0%（100% 稳定版）</translation>
    </message>
    <message>
        <source>Rolling back %1…</source>
        <translation>正在回滚 %1…</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
</context>
<context>
    <name>Switchboard::LeaseRowWidget</name>
    <message>
        <source>Lease: reading…</source>
        <translation>租约：读取中…</translation>
    </message>
    <message>
        <source>Lease: unknown (%1)</source>
        <translation>租约：未知（%1）</translation>
    </message>
    <message>
        <source>Lease: held by &lt;b&gt;%1&lt;/b&gt; since %2 (%3), lapses in %4 s — only Rollback is open to you</source>
        <translation>租约：由 &lt;b&gt;%1&lt;/b&gt; 自 %2 起持有（%3），%4 秒后失效 — 你只能回滚</translation>
    </message>
    <message>
        <source>Lease: yours since %1 (%2)%3</source>
        <translation>租约：你自 %1 起持有（%2）%3</translation>
    </message>
    <message>
        <source>, lapses in %1 s</source>
        <translation>，%1 秒后失效</translation>
    </message>
    <message>
        <source>Lease: free — take it to tell others you are releasing this target</source>
        <translation>租约：空闲 — 取得租约，告诉其他人你正在发布此目标</translation>
    </message>
    <message>
        <source>last read failed: %1</source>
        <translation>上次读取失败：%1</translation>
    </message>
    <message>
        <source>Take over…</source>
        <translation>接管…</translation>
    </message>
    <message>
        <source>Release lease</source>
        <translation>释放租约</translation>
    </message>
    <message>
        <source>Take lease</source>
        <translation>取得租约</translation>
    </message>
    <message>
        <source>read-only: %1</source>
        <translation>只读：%1</translation>
    </message>
    <message>
        <source>Take the lease over?</source>
        <translation>接管租约？</translation>
    </message>
    <message>
        <source>%1 holds %2 since %3 (%4). They will be told by the audit log and their rollout, if any, pauses.</source>
        <translation>%1 自 %3 起持有 %2（%4）。审计日志会记录这次接管，对方正在进行的发布（如有）将暂停。</translation>
    </message>
    <message>
        <source>lease taken</source>
        <translation>已取得租约</translation>
    </message>
    <message>
        <source>lease taken over from %1</source>
        <translation>已从 %1 接管租约</translation>
    </message>
    <message>
        <source>lease released</source>
        <translation>已释放租约</translation>
    </message>
    <message>
        <source>lease held by %1</source>
        <translation>租约由 %1 持有</translation>
    </message>
    <message>
        <source>lease: %1</source>
        <translation>租约：%1</translation>
    </message>
</context>
<context>
    <name>Switchboard::MainWindow</name>
    <message>
        <source>Switchboard</source>
        <translation>Switchboard</translation>
    </message>
    <message>
        <source>&lt;b&gt;Targets&lt;/b&gt;</source>
        <translation>&lt;b&gt;目标&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Audit log…</source>
        <translation>审计日志(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>Where is the &amp;audit log?</source>
        <translation>审计日志在哪里(&amp;A)？</translation>
    </message>
    <message>
        <source>&amp;About Switchboard</source>
        <translation>关于 Switchboard(&amp;A)</translation>
    </message>
    <message>
        <source>Roll back the selected target to 100% stable (from any window of the app)</source>
        <translation>将所选目标回滚到 100% 稳定版（在本应用的任何窗口中均可）</translation>
    </message>
    <message>
        <source>In the canary % box: apply the new weight; in a question: confirm</source>
        <translation>在金丝雀 % 输入框中：应用新权重；在询问中：确认</translation>
    </message>
    <message>
        <source>In a question: cancel</source>
        <translation>在询问中：取消</translation>
    </message>
    <message>
        <source>This list</source>
        <translation>本列表</translation>
    </message>
    <message>
        <source>Quit (audit entries still being written are finished first)</source>
        <translation>退出（先写完尚在写入的审计条目）</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>(not known: no audit log is open)</source>
        <translation>（未知：没有打开的审计日志）</translation>
    </message>
    <message>
        <source>&lt;p&gt;Every action (weight changes, rollbacks, rollouts, who and why) is appended to&lt;/p&gt;&lt;p&gt;&lt;code&gt;%1&lt;/code&gt;&lt;/p&gt;&lt;p&gt;one JSON object per line. &lt;b&gt;View → Audit log…&lt;/b&gt; shows, filters and exports it.&lt;/p&gt;</source>
        <translation>&lt;p&gt;每个操作（权重变更、回滚、发布、由谁及原因）都追加到&lt;/p&gt;&lt;p&gt;&lt;code&gt;%1&lt;/code&gt;&lt;/p&gt;&lt;p&gt;每行一个 JSON 对象。&lt;b&gt;视图 → 审计日志…&lt;/b&gt; 可查看、筛选和导出。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Switchboard %1&lt;/h3&gt;&lt;p&gt;Shift live traffic between a stable and a canary version, watch both side by side, and roll back in one click.&lt;/p&gt;&lt;p&gt;Qt %2&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Switchboard %1&lt;/h3&gt;&lt;p&gt;在稳定版与金丝雀版之间切换线上流量，并排观察两者，一键回滚。&lt;/p&gt;&lt;p&gt;Qt %2&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About Switchboard</source>
        <translation>关于 Switchboard</translation>
    </message>
    <message>
        <source>no target</source>
        <translation>无目标</translation>
    </message>
    <message>
        <source>%1: %2 · %3</source>
        <translation>%1：%2 · %3</translation>
    </message>
    <message>
        <source>no data yet</source>
        <translation>尚无数据</translation>
    </message>
    <message>
        <source>data %1 old</source>
        <translation>数据已有 %1</translation>
    </message>
    <message>
        <source>Export &amp;report…</source>
        <translation>导出报告(&amp;R)…</translation>
    </message>
    <message>
        <source>The selected target&apos;s last rollout as evidence: PDF, HTML or Markdown</source>
        <translation>将所选目标最近一次发布导出为证据：PDF、HTML 或 Markdown</translation>
    </message>
    <message>
        <source>Report of rollout %1 (%2) written to %3</source>
        <translation>发布 %1（%2）的报告已写入 %3</translation>
    </message>
    <message>
        <source>Report not written: %1</source>
        <translation>报告未写入：%1</translation>
    </message>
    <message>
        <source>Select a target first</source>
        <translation>请先选择一个目标</translation>
    </message>
    <message>
        <source>Export rollout report</source>
        <translation>导出发布报告</translation>
    </message>
    <message>
        <source>PDF (*.pdf);;HTML (*.html);;Markdown (*.md)</source>
        <translation>PDF 文件 (*.pdf);;HTML 文件 (*.html);;Markdown 文件 (*.md)</translation>
    </message>
    <message>
        <source>Writing the report of %1…</source>
        <translation>正在写入 %1 的报告…</translation>
    </message>
    <message>
        <source>Rollout &amp;history…</source>
        <translation>发布历史(&amp;H)…</translation>
    </message>
    <message>
        <source>Every rollout of the selected target in the audit log, each exportable as a report</source>
        <translation>审计日志中所选目标的每次发布，均可导出为报告</translation>
    </message>
</context>
<context>
    <name>Switchboard::PresetsDialog</name>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Rollout presets · %1</source>
        <translation>发布预设 · %1</translation>
    </message>
    <message>
        <source>New…</source>
        <translation>新建…</translation>
    </message>
    <message>
        <source>Duplicate…</source>
        <translation>复制…</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>New preset</source>
        <translation>新建预设</translation>
    </message>
    <message>
        <source>Name (letters, digits, . _ -):</source>
        <translation>名称（字母、数字、. _ -）：</translation>
    </message>
    <message>
        <source>Duplicate preset</source>
        <translation>复制预设</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Import preset</source>
        <translation>导入预设</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
    <message>
        <source>Export preset</source>
        <translation>导出预设</translation>
    </message>
    <message>
        <source>created %1 from %2: edit and Save</source>
        <translation>已从 %2 创建 %1：编辑后保存</translation>
    </message>
    <message>
        <source>%1 (built-in)</source>
        <translation>%1（内置）</translation>
    </message>
    <message>
        <source>%1 (broken)</source>
        <translation>%1（已损坏）</translation>
    </message>
    <message>
        <source>built-in: Save writes your own copy to %1</source>
        <translation>内置预设：保存会把你自己的副本写到 %1</translation>
    </message>
    <message>
        <source>saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>imported %1</source>
        <translation>已导入 %1</translation>
    </message>
    <message>
        <source>exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <source>duplicated as %1</source>
        <translation>已复制为 %1</translation>
    </message>
    <message>
        <source>deleted %1</source>
        <translation>已删除 %1</translation>
    </message>
</context>
<context>
    <name>Switchboard::ReportExporter</name>
    <message>
        <source>no metrics layer configured for this target</source>
        <translation>此目标未配置指标层</translation>
    </message>
    <message>
        <source>no metrics: %1</source>
        <translation>无指标：%1</translation>
    </message>
</context>
<context>
    <name>Switchboard::ResultBannerWidget</name>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Partially applied: %1. Send canary %2% again to every node?</source>
        <translation>仅部分应用：%1。要向每个节点重新发送金丝雀 %2% 吗？</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Conflict: %1. Apply canary %2% anyway?</source>
        <translation>冲突：%1。仍要应用金丝雀 %2% 吗？</translation>
    </message>
    <message>
        <source>Apply anyway</source>
        <translation>仍然应用</translation>
    </message>
    <message>
        <source>the rollout is carrying on; nothing sent again</source>
        <translation>发布正在继续；未重新发送任何内容</translation>
    </message>
</context>
<context>
    <name>Switchboard::RolloutBarWidget</name>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Promote ▸</source>
        <translation>推进 ▸</translation>
    </message>
    <message>
        <source>Presets…</source>
        <translation>预设…</translation>
    </message>
    <message>
        <source>Skip to the plan&apos;s next step</source>
        <translation>跳到计划的下一步</translation>
    </message>
    <message>
        <source>Plan:</source>
        <translation>计划：</translation>
    </message>
    <message>
        <source>Run &quot;%1&quot; on %2?
%3</source>
        <translation>在 %2 上运行“%1”？
%3</translation>
    </message>
    <message>
        <source>Warning: the current traffic is too thin for some gates:</source>
        <translation>警告：当前流量对某些门控来说太少：</translation>
    </message>
    <message>
        <source>Start rollout</source>
        <translation>开始发布</translation>
    </message>
    <message>
        <source>read-only: %1</source>
        <translation>只读：%1</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>&lt;i&gt;no rollout running&lt;/i&gt;</source>
        <translation>&lt;i&gt;没有正在运行的发布&lt;/i&gt;</translation>
    </message>
    <message>
        <source> left</source>
        <translation> 剩余</translation>
    </message>
    <message>
        <source>gates: </source>
        <translation>门控：</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>lease: %1</source>
        <translation>租约：%1</translation>
    </message>
    <message>
        <source>no preset named &quot;%1&quot;</source>
        <translation>没有名为“%1”的预设</translation>
    </message>
</context>
<context>
    <name>Switchboard::RolloutHistoryDialog</name>
    <message>
        <source>Export report…</source>
        <translation>导出报告…</translation>
    </message>
    <message>
        <source>Rollouts of %1</source>
        <translation>%1 的发布</translation>
    </message>
    <message>
        <source>The selected rollout as evidence for the change record: PDF, HTML or Markdown</source>
        <translation>将所选发布作为变更记录的证据：PDF、HTML 或 Markdown</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <source>Report of rollout %1 (%2) written to %3</source>
        <translation>发布 %1（%2）的报告已写入 %3</translation>
    </message>
    <message>
        <source>Report not written: %1</source>
        <translation>报告未写入：%1</translation>
    </message>
    <message>
        <source>reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
    <message numerus="yes">
        <source>%n rollout(s)</source>
        <translation>
            <numerusform>%n 次发布</numerusform>
        </translation>
    </message>
    <message>
        <source>no rollout of this target in the audit log</source>
        <translation>审计日志中没有此目标的发布</translation>
    </message>
    <message>
        <source>Export rollout report</source>
        <translation>导出发布报告</translation>
    </message>
    <message>
        <source>PDF (*.pdf);;HTML (*.html);;Markdown (*.md)</source>
        <translation>PDF 文件 (*.pdf);;HTML 文件 (*.html);;Markdown 文件 (*.md)</translation>
    </message>
    <message>
        <source>Writing the report of rollout %1…</source>
        <translation>正在写入发布 %1 的报告…</translation>
    </message>
</context>
<context>
    <name>Switchboard::RolloutListModel</name>
    <message>
        <source>started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>plan</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>by</source>
        <translation>发起人</translation>
    </message>
    <message>
        <source>steps</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>id</source>
        <translation>编号</translation>
    </message>
</context>
<context>
    <name>Switchboard::SplitBarWidget</name>
    <message>
        <source>no split: no data</source>
        <translation>无流量分配：无数据</translation>
    </message>
    <message>
        <source>stable %1 · canary %2</source>
        <translation>稳定版 %1 · 金丝雀 %2</translation>
    </message>
    <message>
        <source> (stale)</source>
        <translation>（已过时）</translation>
    </message>
    <message>
        <source>stable %1</source>
        <translation>稳定版 %1</translation>
    </message>
    <message>
        <source>canary %1</source>
        <translation>金丝雀 %1</translation>
    </message>
    <message>
        <source>stale</source>
        <translation>已过时</translation>
    </message>
</context>
<context>
    <name>Switchboard::TargetChartsWidget</name>
    <message>
        <source>5 min</source>
        <translation>5 分钟</translation>
    </message>
    <message>
        <source>15 min</source>
        <translation>15 分钟</translation>
    </message>
    <message>
        <source>1 h</source>
        <translation>1 小时</translation>
    </message>
    <message>
        <source>6 h</source>
        <translation>6 小时</translation>
    </message>
    <message>
        <source>24 h</source>
        <translation>24 小时</translation>
    </message>
    <message>
        <source>Export PNG…</source>
        <translation>导出 PNG…</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Metrics settings…</source>
        <translation>指标设置…</translation>
    </message>
    <message>
        <source>window:</source>
        <translation>时间窗口：</translation>
    </message>
    <message>
        <source>error ratio (%)</source>
        <translation>错误率 (%)</translation>
    </message>
    <message>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <source>stable</source>
        <translation>稳定版</translation>
    </message>
    <message>
        <source>canary</source>
        <translation>金丝雀</translation>
    </message>
    <message>
        <source>p99 latency (ms)</source>
        <translation>p99 延迟 (ms)</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>requests/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <source>req/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <source>canary weight (%)</source>
        <translation>金丝雀权重 (%)</translation>
    </message>
    <message>
        <source>set</source>
        <translation>设定</translation>
    </message>
    <message>
        <source>measured</source>
        <translation>实测</translation>
    </message>
    <message>
        <source>Export charts</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>charts saved to %1</source>
        <translation>图表已保存到 %1</translation>
    </message>
    <message>
        <source>Export series</source>
        <translation>导出数据序列</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>series saved to %1</source>
        <translation>数据序列已保存到 %1</translation>
    </message>
    <message>
        <source>no metrics source configured for this target</source>
        <translation>此目标未配置指标来源</translation>
    </message>
    <message>
        <source>no data from metrics: %1</source>
        <translation>指标没有数据：%1</translation>
    </message>
    <message>
        <source>no target selected</source>
        <translation>未选择目标</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>Switchboard::TargetController</name>
    <message>
        <source>metrics settings applied</source>
        <translation>指标设置已生效</translation>
    </message>
    <message>
        <source>metrics settings not applied (the old ones stay): %1</source>
        <translation>指标设置未生效（保留原设置）：%1</translation>
    </message>
    <message>
        <source>rollout: %1</source>
        <translation>发布：%1</translation>
    </message>
    <message>
        <source>external change: %1</source>
        <translation>外部变更：%1</translation>
    </message>
    <message>
        <source>metrics back</source>
        <translation>指标已恢复</translation>
    </message>
    <message>
        <source>metrics: %1</source>
        <translation>指标：%1</translation>
    </message>
    <message>
        <source>reconnected</source>
        <translation>已重新连接</translation>
    </message>
    <message>
        <source>connected (%1)</source>
        <translation>已连接（%1）</translation>
    </message>
    <message>
        <source>confirmed %1 ms after the request</source>
        <translation>请求后 %1 毫秒确认</translation>
    </message>
</context>
<context>
    <name>Switchboard::TargetSettingsDialog</name>
    <message>
        <source>%1 · metrics settings</source>
        <translation>%1 · 指标设置</translation>
    </message>
    <message>
        <source>built-in default (empty)</source>
        <translation>内置默认值（空）</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Placeholders: {{version}}, {{versions}}, {{window}}, {{backend}}. Saved to %1 and applied at once (the event log says so).</source>
        <translation>占位符：{{version}}、{{versions}}、{{window}}、{{backend}}。保存到 %1 并立即生效（事件日志中会注明）。</translation>
    </message>
    <message>
        <source>(no file: demo target)</source>
        <translation>（无文件：演示目标）</translation>
    </message>
    <message>
        <source>read-only: %1</source>
        <translation>只读：%1</translation>
    </message>
    <message>
        <source>empty: the built-in default is used</source>
        <translation>空：使用内置默认值</translation>
    </message>
    <message>
        <source>running…</source>
        <translation>运行中…</translation>
    </message>
    <message>
        <source>saved to %1</source>
        <translation>已保存到 %1</translation>
    </message>
    <message>
        <source>saving to %1…</source>
        <translation>正在保存到 %1…</translation>
    </message>
</context>
<context>
    <name>Switchboard::TargetStatus</name>
    <message>
        <source>no data yet</source>
        <translation>尚无数据</translation>
    </message>
    <message>
        <source>data %1 s old</source>
        <translation>数据已有 %1 秒</translation>
    </message>
    <message>
        <source>data %1 min old</source>
        <translation>数据已有 %1 分钟</translation>
    </message>
    <message>
        <source>no target selected</source>
        <translation>未选择目标</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>已断开</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 · %4</source>
        <translation>%1 · %2 · %3 · %4</translation>
    </message>
    <message>
        <source> (stale)</source>
        <translation>（已过时）</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>无数据</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
</context>
<context>
    <name>Switchboard::TargetStatusWidget</name>
    <message>
        <source>READ-ONLY</source>
        <translation>只读</translation>
    </message>
    <message>
        <source>req/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <source>errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>sample age</source>
        <translation>样本时效</translation>
    </message>
    <message>
        <source>stable</source>
        <translation>稳定版</translation>
    </message>
    <message>
        <source>canary</source>
        <translation>金丝雀</translation>
    </message>
    <message>
        <source>%1 servers, %2 with traffic%3</source>
        <translation>%1 台服务器，%2 台有流量%3</translation>
    </message>
    <message>
        <source>Every action is off: %1</source>
        <translation>所有操作均已禁用：%1</translation>
    </message>
    <message>
        <source>set %1 · measured %2</source>
        <translation>设定 %1 · 实测 %2</translation>
    </message>
    <message>
        <source>— (no request rate)</source>
        <translation>—（无请求速率）</translation>
    </message>
    <message>
        <source> (stale)</source>
        <translation>（已过时）</translation>
    </message>
    <message>
        <source>%1: %2 → canary</source>
        <translation>%1: %2 → 金丝雀</translation>
    </message>
    <message>
        <source>cookie %1=%2 → canary</source>
        <translation>Cookie %1=%2 → 金丝雀</translation>
    </message>
    <message>
        <source>+ testers: %1</source>
        <translation>+ 测试人员：%1</translation>
    </message>
</context>
<context>
    <name>Switchboard::TestersRowWidget</name>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Header</source>
        <translation>请求头</translation>
    </message>
    <message>
        <source>Cookie</source>
        <translation>Cookie</translation>
    </message>
    <message>
        <source>name, e.g. X-Canary</source>
        <translation>名称，例如 X-Canary</translation>
    </message>
    <message>
        <source>value, e.g. always</source>
        <translation>值，例如 always</translation>
    </message>
    <message>
        <source>Testers:</source>
        <translation>测试人员：</translation>
    </message>
    <message>
        <source>%1: %2 → canary</source>
        <translation>%1: %2 → 金丝雀</translation>
    </message>
    <message>
        <source>cookie %1=%2 → canary</source>
        <translation>Cookie %1=%2 → 金丝雀</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>no target selected</source>
        <translation>未选择目标</translation>
    </message>
    <message>
        <source>read-only: %1</source>
        <translation>只读：%1</translation>
    </message>
    <message>
        <source>the target has not answered yet</source>
        <translation>目标尚未响应</translation>
    </message>
    <message>
        <source>Send requests carrying this to the canary</source>
        <translation>将带有此标记的请求发往金丝雀</translation>
    </message>
    <message>
        <source>Stop routing the selected testers to the canary</source>
        <translation>停止将所选测试人员路由到金丝雀</translation>
    </message>
    <message>
        <source>Route testers to the canary?</source>
        <translation>将测试人员路由到金丝雀？</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>Stop routing these testers to the canary?</source>
        <translation>停止将这些测试人员路由到金丝雀？</translation>
    </message>
    <message>
        <source>lease: %1</source>
        <translation>租约：%1</translation>
    </message>
</context>
<context>
    <name>Switchboard::TitleAlert</name>
    <message>
        <source>(!) %1 — %2</source>
        <extracomment>The window title while a notification waits to be seen: &quot;(!) shop: rolled back — Switchboard&quot;</extracomment>
        <translation>(!) %1 — %2</translation>
    </message>
</context>
<context>
    <name>Switchboard::TrayNotifier</name>
    <message>
        <source>Switchboard</source>
        <translation>Switchboard</translation>
    </message>
</context>
<context>
    <name>Switchboard::VerdictBadgeWidget</name>
    <message>
        <source>roll back automatically</source>
        <translation>自动回滚</translation>
    </message>
    <message>
        <source>Outside a rollout, a failing verdict rolls the canary back to 0% at once. Off: the verdict moves no traffic. Saved in targets.json and audited.</source>
        <translation>不在发布中时，失败的判定会立即把金丝雀回滚到 0%。关闭：判定不移动任何流量。保存在 targets.json 中并记入审计。</translation>
    </message>
    <message>
        <source>verdict:</source>
        <translation>判定：</translation>
    </message>
    <message>
        <source>no canary traffic</source>
        <translation>金丝雀无流量</translation>
    </message>
    <message>
        <source>HEALTHY</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>WATCH</source>
        <translation>观察</translation>
    </message>
    <message>
        <source>FAILING</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>NO DATA</source>
        <translation>无数据</translation>
    </message>
</context>
<context>
    <name>Switchboard::WeightControlsWidget</name>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Promote full ▸▸</source>
        <translation>全量发布 ▸▸</translation>
    </message>
    <message>
        <source>ROLLBACK</source>
        <translation>回滚</translation>
    </message>
    <message>
        <source>100% to stable at once (Ctrl+Shift+R)</source>
        <translation>立即将 100% 流量切回稳定版（Ctrl+Shift+R）</translation>
    </message>
    <message>
        <source>canary %:</source>
        <translation>金丝雀 %：</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>stable %1% → canary %2%</source>
        <translation>稳定版 %1% → 金丝雀 %2%</translation>
    </message>
    <message>
        <source>Move traffic</source>
        <translation>切换流量</translation>
    </message>
    <message>
        <source>Send %1% of traffic to the canary?
before: %2
after: %3</source>
        <translation>将 %1% 的流量发送到金丝雀？
之前：%2
之后：%3</translation>
    </message>
    <message>
        <source>not applied</source>
        <translation>未应用</translation>
    </message>
    <message>
        <source>Promote full</source>
        <translation>全量发布</translation>
    </message>
    <message>
        <source>Send all traffic to the canary?
before: %1
after: %2</source>
        <translation>将全部流量发送到金丝雀？
之前：%1
之后：%2</translation>
    </message>
    <message>
        <source>read-only: %1</source>
        <translation>只读：%1</translation>
    </message>
    <message>
        <source>A read-only operator cannot roll back either.</source>
        <translation>只读的操作员也不能回滚。</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Roll back gradually…</source>
        <translation>逐步回滚…</translation>
    </message>
    <message>
        <source>More ways back</source>
        <translation>更多回退方式</translation>
    </message>
    <message>
        <source>Roll back gradually</source>
        <translation>逐步回滚</translation>
    </message>
    <message>
        <source>Step the canary back %1, holding each step %2 s with the verdict gates watching?
A breach on the way goes straight to 0%. ROLLBACK stays immediate.</source>
        <translation>按 %1 逐步撤回金丝雀，每一步保持 %2 秒并由判定门控监视？
途中一旦越界将直接降到 0%。回滚按钮仍会立即生效。</translation>
    </message>
    <message>
        <source>a gradual rollback is already running</source>
        <translation>已有一个逐步回滚正在进行</translation>
    </message>
    <message>
        <source>operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>lease: %1</source>
        <translation>租约：%1</translation>
    </message>
</context>
<context>
    <name>TargetListModel</name>
    <message>
        <source>verdict %1</source>
        <translation>判定 %1</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Open on the built-in simulator.</source>
        <translation>使用内置模拟器打开。</translation>
    </message>
    <message>
        <source>Folder holding targets.json.</source>
        <translation>存放 targets.json 的文件夹。</translation>
    </message>
    <message>
        <source>Save the main window to FILE and quit.</source>
        <translation>将主窗口保存为 FILE 后退出。</translation>
    </message>
    <message>
        <source>With --screenshot: wait this long first.</source>
        <translation>与 --screenshot 一起使用：先等待这么久。</translation>
    </message>
    <message>
        <source>Select this target at start.</source>
        <translation>启动时选中此目标。</translation>
    </message>
    <message>
        <source>Show every target, refuse every action.</source>
        <translation>显示所有目标，拒绝所有操作。</translation>
    </message>
    <message>
        <source>Open the window at WIDTHxHEIGHT (e.g. 1024x640, to check a layout).</source>
        <translation>以 宽x高 打开窗口（例如 1024x640，用于检查布局）。</translation>
    </message>
    <message>
        <source>Language of the window: zh_CN or en (default: the system&apos;s).</source>
        <translation>窗口语言：zh_CN 或 en（默认跟随系统）。</translation>
    </message>
    <message>
        <source>Switchboard: shift live traffic between a stable and a canary version and watch both.

Headless verbs (see `switchboard VERB --help`):
  status --target NAME [--json]
  set-weight --target NAME --canary PCT
  promote --target NAME --full
  rollback --target NAME [--keep-routes] [--gradual [--steps P,P,0] [--hold-ms MS]]
  route --target NAME --header NAME=VALUE | --cookie NAME=VALUE | --clear [--header NAME]
  run --target NAME --preset NAME
  report --target NAME [--last | --rollout ID | --list] --out FILE.pdf|.html|.md
  deploy --target NAME --image IMAGE [--container NAME]</source>
        <translation>Switchboard：在稳定版本与金丝雀版本之间切换线上流量，并同时观察两者。

无界面命令（详见 `switchboard VERB --help`）：
  status --target NAME [--json]
  set-weight --target NAME --canary PCT
  promote --target NAME --full
  rollback --target NAME [--keep-routes] [--gradual [--steps P,P,0] [--hold-ms MS]]
  route --target NAME --header NAME=VALUE | --cookie NAME=VALUE | --clear [--header NAME]
  run --target NAME --preset NAME
  report --target NAME [--last | --rollout ID | --list] --out FILE.pdf|.html|.md
  deploy --target NAME --image IMAGE [--container NAME]</translation>
    </message>
</context>
</TS>
