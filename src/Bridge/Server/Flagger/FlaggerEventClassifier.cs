namespace Bridge.Server.Flagger;

/// <summary>The CloudEvent type and severity of one Flagger event message.</summary>
/// <param name="Type">A constant of <see cref="FlaggerEventTypes"/>.</param>
/// <param name="Severity">The severity, following Flagger's alert semantics.</param>
internal readonly record struct FlaggerEventClassification(string Type, FlaggerSeverity Severity);

/// <summary>
/// Classifies the free-text <c>metadata.eventMessage</c> of Flagger event webhooks into a small,
/// stable set of CloudEvent types, using ordinal prefix and suffix checks on Flagger's message
/// templates (<c>pkg/controller/scheduler*.go</c>, <c>finalizer.go</c>, <c>controller.go</c>).
/// </summary>
/// <remarks>
/// <para>N.NS is the canary name and namespace, T.NS the target, X a webhook name (types drop the
/// <c>app.flagger.canary.</c> prefix here):</para>
/// <code>
/// message template                                                  type                   severity
/// "Initialization done! N.NS"                                       initialized            info
/// "New revision detected! Scaling up T.NS"                          revision.detected      info
/// "New revision detected! Restarting analysis for T.NS"             revision.detected      info
/// "Starting canary analysis for T.NS"                               analysis.started       info
/// "Advance N.NS canary weight W"                                    weight.advanced        info
/// "Advance N.NS canary iteration I/MAX"                             weight.advanced        info
/// "Advance N.NS primary weight W"                                   weight.advanced        info
/// "Routing all traffic to canary" / "... to primary"                traffic.routed         info
/// "Copying T.NS template spec to T-primary.NS"                      promotion.started      info
/// "Promotion completed! Scaling down T.NS"                          promoted               info
/// "Promotion completed! Canary analysis was skipped for T.NS"       promoted               info
/// "Halt N.NS advancement waiting for approval X"                    approval.waiting       warn
/// "Halt N.NS advancement waiting for promotion approval X"          approval.waiting       warn
/// "Halt N.NS advancement waiting for traffic increase approval X"   approval.waiting       warn
/// "Halt N.NS advancement success rate X% &lt; Y%" (any metric check)  halted                 warn
/// "Halt N.NS advancement pre-rollout check X failed ..."            halted                 warn
/// "Halt N.NS advancement external check X failed ..."               halted                 warn
/// "Halt advancement no values found for ... metric ..."             halted                 warn
/// "Confirm-rollout check X passed" (also Confirm-promotion,
///   Confirm-traffic-increase, Pre-rollout, Post-rollout)            check.passed           info
/// "Rollback check X passed" (a manual rollback starts)              check.passed           warn
/// "Post-rollout hook X failed ..."                                  check.failed           warn
/// "Rollback hook X not signaling a rollback"                        rollback.notrequested  info
/// "Rolling back N.NS manual webhook invoked"                        rolledback             warn
/// "Rolling back N.NS failed checks threshold reached F"             rolledback             error
/// "Rolling back N.NS progress deadline exceeded ..." (any other)    rolledback             error
/// "Canary failed! Scaling down N.NS"                                failed                 error
/// "Promotion of T.NS failed, primary not ready: ..."                failed                 error
/// "Terminating canary N.NS"                                         terminating            info
/// "Terminated canary N.NS"                                          terminated             info
/// "skipping canary run as object is suspended"                      suspended              info
/// "all the metrics providers are available!"                        metrics.available      info
/// anything else (raw errors, future templates, no message)          event                  from eventType:
///                                                                   Warning -> warn, otherwise info
/// </code>
/// <para>A template's severity is fixed, whatever <c>eventType</c> says, so the same message always
/// has the same severity.</para>
/// </remarks>
internal static class FlaggerEventClassifier
{
    private const StringComparison Ordinal = StringComparison.Ordinal;

    /// <summary>Classifies an event message.</summary>
    /// <param name="eventMessage"><c>metadata.eventMessage</c>. May be null.</param>
    /// <param name="eventType"><c>metadata.eventType</c> (<c>Normal</c> or <c>Warning</c>). May be null.</param>
    public static FlaggerEventClassification Classify(string? eventMessage, string? eventType)
    {
        if (!string.IsNullOrEmpty(eventMessage) && ClassifyTemplate(eventMessage) is { } classification)
        {
            return classification;
        }

        return new(FlaggerEventTypes.Event, SeverityOf(eventType));
    }

    /// <summary>Severity of an unrecognised message: <c>Warning</c> is warn, anything else info.</summary>
    public static FlaggerSeverity SeverityOf(string? eventType) =>
        string.Equals(eventType, "Warning", Ordinal) ? FlaggerSeverity.Warn : FlaggerSeverity.Info;

    private static FlaggerEventClassification? ClassifyTemplate(string message)
    {
        var text = message.AsSpan();
        if (text.StartsWith("Halt ", Ordinal))
        {
            return ClassifyHalt(text["Halt ".Length..]);
        }

        if (text.StartsWith("Advance ", Ordinal))
        {
            return text.Contains(" canary weight ", Ordinal)
                || text.Contains(" canary iteration ", Ordinal)
                || text.Contains(" primary weight ", Ordinal)
                ? Info(FlaggerEventTypes.WeightAdvanced)
                : null;
        }

        if (text.StartsWith("Rolling back ", Ordinal))
        {
            return new(
                FlaggerEventTypes.RolledBack,
                text.EndsWith(" manual webhook invoked", Ordinal) ? FlaggerSeverity.Warn : FlaggerSeverity.Error);
        }

        if (text.EndsWith(" passed", Ordinal))
        {
            if (text.StartsWith("Rollback check ", Ordinal))
            {
                return new(FlaggerEventTypes.CheckPassed, FlaggerSeverity.Warn);
            }

            if (text.StartsWith("Confirm-rollout check ", Ordinal)
                || text.StartsWith("Confirm-promotion check ", Ordinal)
                || text.StartsWith("Confirm-traffic-increase check ", Ordinal)
                || text.StartsWith("Pre-rollout check ", Ordinal)
                || text.StartsWith("Post-rollout check ", Ordinal))
            {
                return Info(FlaggerEventTypes.CheckPassed);
            }
        }

        if (text.StartsWith("Initialization done!", Ordinal))
        {
            return Info(FlaggerEventTypes.Initialized);
        }

        if (text.StartsWith("New revision detected!", Ordinal))
        {
            return Info(FlaggerEventTypes.RevisionDetected);
        }

        if (text.StartsWith("Starting canary analysis for ", Ordinal))
        {
            return Info(FlaggerEventTypes.AnalysisStarted);
        }

        if (text.StartsWith("Routing all traffic to ", Ordinal))
        {
            return Info(FlaggerEventTypes.TrafficRouted);
        }

        if (text.StartsWith("Copying ", Ordinal) && text.Contains(" template spec to ", Ordinal))
        {
            return Info(FlaggerEventTypes.PromotionStarted);
        }

        if (text.StartsWith("Promotion completed!", Ordinal))
        {
            return Info(FlaggerEventTypes.Promoted);
        }

        if (text.StartsWith("Canary failed!", Ordinal)
            || (text.StartsWith("Promotion of ", Ordinal) && text.Contains(" failed", Ordinal)))
        {
            return new(FlaggerEventTypes.Failed, FlaggerSeverity.Error);
        }

        if (text.StartsWith("Post-rollout hook ", Ordinal) && text.Contains(" failed", Ordinal))
        {
            return new(FlaggerEventTypes.CheckFailed, FlaggerSeverity.Warn);
        }

        if (text.StartsWith("Rollback hook ", Ordinal) && text.EndsWith(" not signaling a rollback", Ordinal))
        {
            return Info(FlaggerEventTypes.RollbackNotRequested);
        }

        if (text.StartsWith("Terminating canary ", Ordinal))
        {
            return Info(FlaggerEventTypes.Terminating);
        }

        if (text.StartsWith("Terminated canary ", Ordinal))
        {
            return Info(FlaggerEventTypes.Terminated);
        }

        if (text.StartsWith("skipping canary run as object is suspended", Ordinal))
        {
            return Info(FlaggerEventTypes.Suspended);
        }

        if (text.StartsWith("all the metrics providers are available", Ordinal))
        {
            return Info(FlaggerEventTypes.MetricsAvailable);
        }

        return null;
    }

    // After "Halt " comes "N.NS advancement ..." or, for missing metric values, "advancement no values found ...".
    // Canary names hold no spaces, so the approval wording can only start right after "N.NS advancement ";
    // a check that failed with a body mentioning approval stays a halt.
    private static FlaggerEventClassification ClassifyHalt(ReadOnlySpan<char> rest)
    {
        var space = rest.IndexOf(' ');
        var detail = space < 0 ? [] : rest[(space + 1)..];
        if (detail.StartsWith("advancement waiting for approval", Ordinal)
            || detail.StartsWith("advancement waiting for promotion approval", Ordinal)
            || detail.StartsWith("advancement waiting for traffic increase approval", Ordinal))
        {
            return new(FlaggerEventTypes.ApprovalWaiting, FlaggerSeverity.Warn);
        }

        return new(FlaggerEventTypes.Halted, FlaggerSeverity.Warn);
    }

    private static FlaggerEventClassification Info(string type) => new(type, FlaggerSeverity.Info);
}
