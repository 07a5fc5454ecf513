namespace Bridge.Server.Flagger;

/// <summary>
/// Maps a canary phase to the value of Flagger's own <c>flagger_canary_status</c> gauge, so that the
/// bridge's <c>bridge_canary_status</c> gauge can be read with the same dashboards and alerts.
/// </summary>
internal static class CanaryPhaseStatus
{
    /// <summary>The canary is being analysed or promoted.</summary>
    public const int Running = 0;

    /// <summary>The canary is idle: initialised, promoted, terminated, or in an unknown or empty phase.</summary>
    public const int Idle = 1;

    /// <summary>The last analysis failed and the canary was rolled back.</summary>
    public const int Failed = 2;

    /// <summary>
    /// Returns 0 for Progressing, Waiting, WaitingPromotion, Promoting and Finalising, 2 for Failed and
    /// 1 for every other phase, including the empty phase and phases unknown to this version.
    /// </summary>
    /// <param name="phase">The phase as sent by Flagger. May be null or empty.</param>
    public static int ToFlaggerStatus(string? phase) => phase switch
    {
        FlaggerPhases.Progressing or FlaggerPhases.Waiting or FlaggerPhases.WaitingPromotion
            or FlaggerPhases.Promoting or FlaggerPhases.Finalising => Running,
        FlaggerPhases.Failed => Failed,
        _ => Idle,
    };
}
