// CharSampling
