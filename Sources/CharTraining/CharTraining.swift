// CharTraining
