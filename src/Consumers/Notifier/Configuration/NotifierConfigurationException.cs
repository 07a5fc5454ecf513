namespace Bridge.Notifier;

/// <summary>
/// The notifier's configuration (routes, sinks, templates) is invalid. The message names the key as a path into the
/// YAML file, such as <c>routes[2].severity</c> or <c>sinks.slack-prod.url</c>.
/// </summary>
internal sealed class NotifierConfigurationException : Exception
{
    public NotifierConfigurationException(string key, string problem)
        : base($"{key}: {problem}")
    {
        Key = key;
        Problem = problem;
    }

    /// <summary>The key, as a path into the configuration file.</summary>
    public string Key { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
