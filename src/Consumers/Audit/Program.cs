// The audit service: subscribes to every event of the bridge and keeps a durable, hash-chained audit log with
// rollouts, DORA figures, a query API and a live timeline page (docs/audit.md).
await Bridge.Audit.AuditApp.Build(args).RunAsync();
