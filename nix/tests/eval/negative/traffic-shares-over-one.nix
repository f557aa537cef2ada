# The generator's shares leave a non-negative share of reads.
# expect: errorShare + notFoundShare + createShare must be at most 1
{
  services.lookout.traffic-generator = {
    errorShare = 0.6;
    notFoundShare = 0.5;
  };
}
