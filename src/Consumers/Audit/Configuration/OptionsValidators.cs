using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Bridge.Audit.Configuration;

/// <summary>Checks <see cref="AuditHttpOptions"/> at start.</summary>
internal sealed class AuditHttpOptionsValidator : IValidateOptions<AuditHttpOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditHttpOptions options)
    {
        var failures = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"Audit:Port {options.Port} is not a TCP port (0-65535).");
        }

        if (options.StreamHeartbeat < TimeSpan.FromMilliseconds(100) || options.StreamHeartbeat > TimeSpan.FromMinutes(10))
        {
            failures.Add($"Audit:StreamHeartbeat {options.StreamHeartbeat} must be from 00:00:00.1 to 00:10:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Checks <see cref="StorageOptions"/> at start, reading the connection string file.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        var provider = options.EffectiveProvider;
        if (provider is not (StorageOptions.Sqlite or StorageOptions.Postgres))
        {
            failures.Add($"Audit:Storage:Provider '{options.Provider}' is not supported; use 'sqlite' or 'postgres'.");
        }
        else if (provider == StorageOptions.Sqlite)
        {
            if (string.IsNullOrWhiteSpace(options.SqlitePath))
            {
                failures.Add("Audit:Storage:SqlitePath is required with the sqlite provider (a file path such as data/audit.db).");
            }
        }
        else
        {
            var hasString = !string.IsNullOrWhiteSpace(options.ConnectionString);
            var hasFile = !string.IsNullOrWhiteSpace(options.ConnectionStringFile);
            if (hasString == hasFile)
            {
                failures.Add("Audit:Storage: the postgres provider needs exactly one of ConnectionString and ConnectionStringFile.");
            }
            else if (hasFile)
            {
                try
                {
                    if (string.IsNullOrWhiteSpace(options.ResolveConnectionString()))
                    {
                        failures.Add($"Audit:Storage:ConnectionStringFile '{options.ConnectionStringFile}' is empty.");
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    failures.Add($"Audit:Storage:ConnectionStringFile '{options.ConnectionStringFile}' cannot be read: {e.Message}");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Checks <see cref="RetentionOptions"/> at start.</summary>
internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var failures = new List<string>();
        if (options.MaxAge is { } age && age < TimeSpan.FromMinutes(1))
        {
            failures.Add($"Audit:Retention:MaxAge {age} is too short; give at least 00:01:00 (or leave it unset to keep everything).");
        }

        if (options.Interval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"Audit:Retention:Interval {options.Interval} must be at least 00:00:01.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Checks <see cref="AuditAuthOptions"/> at start, reading token files, with messages naming the key.</summary>
internal sealed partial class AuditAuthOptionsValidator : IValidateOptions<AuditAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditAuthOptions options)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var key = $"{AuditAuthOptions.SectionName}:Tokens:{i}";
            var token = options.Tokens[i];
            if (token is null)
            {
                failures.Add($"{key} is empty; give Name and Token or TokenFile.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(token.Name))
            {
                failures.Add($"{key}:Name is required (it names the caller in logs).");
            }
            else if (!names.Add(token.Name))
            {
                failures.Add($"{key}:Name '{token.Name}' is used by another token; names must be unique.");
            }

            if (ReadSecret(key, token, failures) is (string secretKey, string secret))
            {
                if (!secrets.TryAdd(secret, secretKey))
                {
                    failures.Add($"{secretKey} holds the same token as {secrets[secret]}; give every caller a token of its own.");
                }
            }

            for (var j = 0; j < token.Namespaces.Count; j++)
            {
                var ns = token.Namespaces[j];
                if (ns is null || !Dns1123Label().IsMatch(ns))
                {
                    failures.Add($"{key}:Namespaces:{j} '{ns}' is not a Kubernetes namespace: use a DNS-1123 label " +
                                 "(1 to 63 lower-case letters, digits and '-', starting and ending with a letter or digit).");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The token of an entry: the configured one or the file's content without its trailing newline.</summary>
    internal static string ReadToken(AuditTokenOptions token) =>
        !string.IsNullOrEmpty(token.TokenFile) ? File.ReadAllText(token.TokenFile).TrimEnd('\r', '\n') : token.Token ?? string.Empty;

    private static (string Key, string Secret)? ReadSecret(string key, AuditTokenOptions token, List<string> failures)
    {
        var hasToken = !string.IsNullOrEmpty(token.Token);
        var hasFile = !string.IsNullOrEmpty(token.TokenFile);
        if (hasToken == hasFile)
        {
            failures.Add($"{key}: set exactly one of Token and TokenFile.");
            return null;
        }

        var secretKey = hasToken ? $"{key}:Token" : $"{key}:TokenFile";
        string secret;
        try
        {
            secret = ReadToken(token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            failures.Add($"{secretKey} '{token.TokenFile}' cannot be read: {e.Message}");
            return null;
        }

        if (secret.Length < AuditAuthOptions.MinTokenLength)
        {
            failures.Add($"{secretKey}: the token has {secret.Length} characters; at least {AuditAuthOptions.MinTokenLength} are required.");
            return null;
        }

        if (secret.Any(char.IsWhiteSpace))
        {
            failures.Add($"{secretKey}: the token contains whitespace, which no HTTP header or query can carry unchanged.");
            return null;
        }

        return (secretKey, secret);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex Dns1123Label();
}
