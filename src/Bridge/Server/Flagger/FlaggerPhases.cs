namespace Bridge.Server.Flagger;

/// <summary>
/// The canary phases Flagger reports in <c>status.phase</c> and in every webhook payload.
/// </summary>
/// <remarks>
/// A payload may also carry the empty phase (sent before the first status sync) or, after a Flagger
/// upgrade, a phase this list does not know yet. Both are accepted: the parser only requires a
/// well-formed phase (letters only, at most <see cref="MaxLength"/> characters) so that no event is
/// lost, and every consumer of the phase maps an unknown one neutrally.
/// </remarks>
internal static class FlaggerPhases
{
    public const string Initializing = "Initializing";
    public const string Initialized = "Initialized";
    public const string Waiting = "Waiting";
    public const string Progressing = "Progressing";
    public const string WaitingPromotion = "WaitingPromotion";
    public const string Promoting = "Promoting";
    public const string Finalising = "Finalising";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Terminating = "Terminating";
    public const string Terminated = "Terminated";

    /// <summary>Longest phase accepted, known or not.</summary>
    public const int MaxLength = 64;

    /// <summary>Every phase Flagger 1.x can report, in lifecycle order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Initializing, Initialized, Waiting, Progressing, WaitingPromotion, Promoting,
        Finalising, Succeeded, Failed, Terminating, Terminated,
    ];

    /// <summary>Whether <paramref name="phase"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    public static bool IsKnown(string phase) => phase switch
    {
        Initializing or Initialized or Waiting or Progressing or WaitingPromotion or Promoting
            or Finalising or Succeeded or Failed or Terminating or Terminated => true,
        _ => false,
    };

    /// <summary>
    /// Whether <paramref name="phase"/> has the shape of a phase: empty, or ASCII letters only and at
    /// most <see cref="MaxLength"/> characters.
    /// </summary>
    public static bool IsWellFormed(string phase)
    {
        if (phase.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in phase)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }
}
