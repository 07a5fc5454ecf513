namespace Bridge.Ctl;

/// <summary>
/// One command's parsed arguments: <c>--name value</c> or <c>--name=value</c> options (repeatable where the command
/// says so), flags, and positional arguments. <c>-</c> is positional (stdin); <c>--</c> ends the options.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private Arguments(string command) => Command = command;

    public string Command { get; }

    public List<string> Positionals { get; } = [];

    public bool Help => _flags.Contains("--help");

    /// <summary>Parses <paramref name="args"/> against the options <paramref name="command"/> accepts.</summary>
    /// <exception cref="CtlException">An unknown option, a missing value, or a single-valued option given twice.</exception>
    public static Arguments Parse(string command, IReadOnlyList<string> args, IReadOnlyCollection<string> valueOptions,
        IReadOnlyCollection<string>? repeatable = null, IReadOnlyCollection<string>? flags = null)
    {
        var result = new Arguments(command);
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg == "-" || !arg.StartsWith('-'))
            {
                result.Positionals.Add(arg);
                continue;
            }

            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }

            if (arg is "-h" or "--help")
            {
                result._flags.Add("--help");
                continue;
            }

            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals > 0 ? arg[..equals] : arg;
            if (flags?.Contains(name) == true)
            {
                if (equals > 0)
                {
                    throw CtlException.Usage($"option '{name}' of 'bridgectl {command}' takes no value");
                }

                result._flags.Add(name);
                continue;
            }

            if (!valueOptions.Contains(name))
            {
                throw CtlException.Usage($"unknown option '{name}' for 'bridgectl {command}' (see 'bridgectl {command} --help')");
            }

            string value;
            if (equals > 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw CtlException.Usage($"option '{name}' of 'bridgectl {command}' needs a value");
            }

            if (!result._values.TryGetValue(name, out List<string>? list))
            {
                result._values[name] = list = [];
            }
            else if (repeatable?.Contains(name) != true)
            {
                throw CtlException.Usage($"option '{name}' of 'bridgectl {command}' may be given only once");
            }

            list.Add(value);
        }

        return result;
    }

    public string? Value(string name) => _values.TryGetValue(name, out List<string>? list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out List<string>? list) ? list : [];

    public bool Flag(string name) => _flags.Contains(name);

    /// <summary>Fails unless there are between <paramref name="min"/> and <paramref name="max"/> positional arguments.</summary>
    public void ExpectPositionals(int min, int max, string what)
    {
        if (Positionals.Count > max)
        {
            throw CtlException.Usage($"unexpected argument '{Positionals[max]}' for 'bridgectl {Command}' (see 'bridgectl {Command} --help')");
        }

        if (Positionals.Count < min)
        {
            throw CtlException.Usage($"'bridgectl {Command}' needs {what} (see 'bridgectl {Command} --help')");
        }
    }
}
