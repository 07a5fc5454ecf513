namespace Bridge.Server.Flagger;

/// <summary>Kubernetes object name rules (<c>k8s.io/apimachinery/pkg/util/validation</c>), as plain scans.</summary>
internal static class KubernetesNames
{
    /// <summary>Longest DNS-1123 label: namespaces.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>Longest DNS-1123 subdomain: most object names, including canaries.</summary>
    public const int MaxSubdomainLength = 253;

    /// <summary>
    /// A DNS-1123 label: 1 to 63 lower-case ASCII letters, digits and '-', starting and ending with a
    /// letter or digit.
    /// </summary>
    public static bool IsDns1123Label(ReadOnlySpan<char> value) =>
        value.Length is > 0 and <= MaxLabelLength && IsLabelBody(value);

    /// <summary>
    /// A DNS-1123 subdomain: 1 to 253 characters, one or more labels (lower-case letters, digits and
    /// '-', starting and ending with a letter or digit) joined by '.'.
    /// </summary>
    public static bool IsDns1123Subdomain(ReadOnlySpan<char> value)
    {
        if (value.Length is 0 or > MaxSubdomainLength)
        {
            return false;
        }

        foreach (var range in value.Split('.'))
        {
            var label = value[range];
            if (label.IsEmpty || !IsLabelBody(label))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLabelBody(ReadOnlySpan<char> label)
    {
        if (!IsAlphanumeric(label[0]) || !IsAlphanumeric(label[^1]))
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!IsAlphanumeric(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
