using Microsoft.Extensions.Options;

namespace Bridge.Server.Auth;

/// <summary>Checks <see cref="AuthOptions"/> at start, reading token files, with messages naming the key.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
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

            ValidateSecret(key, token, failures);

            for (var j = 0; j < token.Namespaces.Count; j++)
            {
                var ns = token.Namespaces[j];
                if (string.IsNullOrWhiteSpace(ns) || ns.Contains('/', StringComparison.Ordinal) || ns.Trim() != ns)
                {
                    failures.Add($"{key}:Namespaces:{j} '{ns}' is not a namespace name (non-empty, no '/', no spaces).");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateSecret(string key, TokenOptions token, List<string> failures)
    {
        var hasToken = !string.IsNullOrEmpty(token.Token);
        var hasFile = !string.IsNullOrEmpty(token.TokenFile);
        if (hasToken == hasFile)
        {
            failures.Add($"{key}: set exactly one of Token and TokenFile.");
            return;
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
                return;
            }
        }
        else
        {
            secret = token.Token!;
        }

        if (secret.Length < AuthOptions.MinTokenLength)
        {
            failures.Add($"{secretKey}: the token has {secret.Length} characters; at least {AuthOptions.MinTokenLength} are required.");
        }
        else if (secret.Any(char.IsWhiteSpace))
        {
            failures.Add($"{secretKey}: the token contains whitespace, which no HTTP header or query can carry unchanged.");
        }
    }
}
