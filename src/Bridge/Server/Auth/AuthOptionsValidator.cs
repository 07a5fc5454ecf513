using Bridge.Server.Flagger;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Auth;

/// <summary>Checks <see cref="AuthOptions"/> at start, reading token files, with messages naming the key.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);

        // The authenticator takes the first entry whose token matches, so a second entry with the same
        // token would silently never apply: its name and namespaces would be dead configuration.
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var key = $"{AuthOptions.SectionName}:Tokens:{i}";
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

            if (ValidateSecret(key, token, failures) is (string secretKey, string secret))
            {
                if (secrets.TryGetValue(secret, out var firstKey))
                {
                    failures.Add($"{secretKey} holds the same token as {firstKey}; give every caller a token of its own " +
                                 "(a request with it would only ever get the first entry's name and namespaces).");
                }
                else
                {
                    secrets.Add(secret, secretKey);
                }
            }

            for (var j = 0; j < token.Namespaces.Count; j++)
            {
                // Flagger payloads and events name Kubernetes namespaces, so any other value could never match.
                var ns = token.Namespaces[j];
                if (ns is null || !KubernetesNames.IsDns1123Label(ns))
                {
                    failures.Add($"{key}:Namespaces:{j} '{ns}' is not a Kubernetes namespace: use a DNS-1123 label " +
                                 $"(1 to {KubernetesNames.MaxLabelLength} lower-case letters, digits and '-', starting and ending with a letter or digit).");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <returns>The key the secret was configured under and the secret, or null when it is unusable.</returns>
    private static (string Key, string Secret)? ValidateSecret(string key, TokenOptions token, List<string> failures)
    {
        var hasToken = !string.IsNullOrEmpty(token.Token);
        var hasFile = !string.IsNullOrEmpty(token.TokenFile);
        if (hasToken == hasFile)
        {
            failures.Add($"{key}: set exactly one of Token and TokenFile.");
            return null;
        }

        string secret;
        var secretKey = hasToken ? $"{key}:Token" : $"{key}:TokenFile";
        if (hasFile)
        {
            try
            {
                secret = TokenAuthenticator.ReadTokenFile(token.TokenFile!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                failures.Add($"{secretKey} '{token.TokenFile}' cannot be read: {e.Message}");
                return null;
            }
        }
        else
        {
            secret = token.Token!;
        }

        if (secret.Length < AuthOptions.MinTokenLength)
        {
            failures.Add($"{secretKey}: the token has {secret.Length} characters; at least {AuthOptions.MinTokenLength} are required.");
            return null;
        }

        if (secret.Any(char.IsWhiteSpace))
        {
            failures.Add($"{secretKey}: the token contains whitespace, which no HTTP header or query can carry unchanged.");
            return null;
        }

        return (secretKey, secret);
    }
}
